<?php
/*
 * Delayed tasks: a task that runs no earlier than now + $seconds; the
 * manager holds it meanwhile (not the queue), and cancel() works until it
 * is due.
 *   php -d extension=modules/asynctask.so examples/jobs/delay.php
 */
declare(strict_types=1);

use AsyncTask\Task;

$start = hrtime(true);
$since = fn (): string => sprintf('%.3f s', (hrtime(true) - $start) / 1e9);

$reminder = (new Task(fn (string $who) => "reminder for $who sent", 'ada'))->delay(0.5)->dispatch();
$cancelled = (new Task(fn () => 'never printed'))->delay(60)->dispatch();
$now = AsyncTask\dispatch(fn () => 'an ordinary task is not held up')->wait();
echo "$now ({$since()})\n";

var_dump($cancelled->cancel());            // true: not yet due, it will never run
echo $reminder->wait(), " ({$since()}, never before 0.5 s)\n";
