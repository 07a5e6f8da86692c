<?php
/*
 * Delays and priorities over Redis: this script is a node (Pool::start()
 * with a Redis backend: one worker, so that tasks wait) and dispatches to
 * it through Redis. A delayed task waits in Redis' sorted set until a node
 * moves it into its stream; a HIGH task is taken before waiting NORMAL and
 * LOW ones.
 *   php -d extension=modules/asynctask.so -d asynctask.backend=redis://127.0.0.1:6379 \
 *       -d asynctask.secret=$(openssl rand -hex 32) examples/jobs/redis.php
 * It leaves its (empty) streams under the prefix example-<pid> in that Redis.
 */
declare(strict_types=1);

use AsyncTask\Task;

if (!str_starts_with((string) ini_get('asynctask.backend'), 'redis') && !str_starts_with((string) ini_get('asynctask.backend'), 'unix')) {
    exit("set asynctask.backend to a Redis (and asynctask.secret): see the comment at the top\n");
}
ini_set('asynctask.prefix', 'example-' . getmypid());   // keys of its own
AsyncTask\Pool::start(1);
$start = hrtime(true);
$since = fn (): string => sprintf('%.3f s', (hrtime(true) - $start) / 1e9);

$reminder = (new Task(fn (string $who) => "reminder for $who sent", 'ada'))->delay(0.5)->dispatch();
$cancelled = (new Task(fn () => 'never printed'))->delay(0.3)->dispatch();
var_dump($cancelled->cancel());            // true: still in the delayed set, it will never run
echo $reminder->wait(5), " ({$since()}, never before 0.5 s)\n";

// one worker held busy; meanwhile tasks of the three levels wait in their streams
$busy = AsyncTask\dispatch(fn () => usleep(300000));
usleep(100000);
$order = [];
foreach (['low' => Task::LOW, 'normal' => Task::NORMAL, 'high' => Task::HIGH] as $name => $priority) {
    $order[] = (new Task(fn (string $name) => [$name, microtime(true)], $name))->withPriority($priority)->dispatch();
}
$busy->wait(5);
$ran = AsyncTask\Future::all($order, 5);
usort($ran, fn ($a, $b) => $a[1] <=> $b[1]);
echo 'ran in this order: ', implode(', ', array_column($ran, 0)), "\n";   // high, normal, low
AsyncTask\Pool::stop();
