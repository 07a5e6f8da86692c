<?php
/*
 * Named queues over Redis: this script is a node serving two queues,
 * "default" and "mail", one worker each (asynctask.queues), and dispatches
 * to them through Redis. While the default queue's worker is busy with a
 * slow report, mail still goes out at once; a task for a queue this node
 * does not serve ("reports") waits in Redis for a node that serves it.
 *   php -d extension=modules/asynctask.so -d asynctask.backend=redis://127.0.0.1:6379 \
 *       -d asynctask.secret=$(openssl rand -hex 32) examples/jobs/redis-queues.php
 * It leaves its streams under the prefix example-<pid> in that Redis (the
 * reports task among them, waiting).
 */
declare(strict_types=1);

use AsyncTask\Task;

if (!str_starts_with((string) ini_get('asynctask.backend'), 'redis') && !str_starts_with((string) ini_get('asynctask.backend'), 'unix')) {
    exit("set asynctask.backend to a Redis (and asynctask.secret): see the comment at the top\n");
}
ini_set('asynctask.prefix', 'example-' . getmypid());   // keys of its own
ini_set('asynctask.queues', 'default:1,mail:1');
AsyncTask\Pool::start();
$start = hrtime(true);
$since = fn (): string => sprintf('%.3f s', (hrtime(true) - $start) / 1e9);

$report = AsyncTask\dispatch(function (): string {   // holds default's one worker for a second
    usleep(1000000);
    return 'report done';
});
usleep(100000);
$mail = (new Task(fn (string $to) => "receipt to $to (" . AsyncTask\context()->queue() . ')', 'ada'))
    ->onQueue('mail')->dispatch();
echo $mail->wait(5), " after {$since()}, while the report still runs\n";
echo $report->wait(5), " after {$since()}\n";

$waiting = (new Task('strlen', 'no node here'))->onQueue('reports')->dispatch();
usleep(1200000);                           // a node reads its figures from Redis once a second
var_dump($waiting->isDone());              // false: no node serves "reports"; it waits in Redis
print_r(array_map(fn (array $q) => $q['completed'] . ' completed, ' . $q['stream_length'] . ' waiting in Redis',
    AsyncTask\Pool::stats()['queues']));
AsyncTask\Pool::stop();
