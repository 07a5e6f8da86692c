<?php
/*
 * Named queues: each queue of asynctask.queues has its own workers, so slow
 * reports never hold back the mail.
 *   php -d extension=modules/asynctask.so -d asynctask.queues="default:1,mail:1,reports:1" examples/jobs/queues.php
 * (without the -d, the example sets it itself before the pool starts)
 */
declare(strict_types=1);

use AsyncTask\Task;

if (ini_get('asynctask.queues') === '') {
    ini_set('asynctask.queues', 'default:1,mail:1,reports:1');
}
AsyncTask\Pool::start();

$start = microtime(true);
$since = fn (): string => sprintf('%5.2f s', microtime(true) - $start);

// three slow reports: the reports queue's worker is busy with them for 1.5 s
$reports = [];
for ($i = 1; $i <= 3; $i++) {
    $reports[] = (new Task(function (int $i): string {
        usleep(500000);
        return "report $i on " . AsyncTask\context()->queue() . ' (pid ' . getmypid() . ')';
    }, $i))->onQueue('reports')->dispatch();
}

// meanwhile the mail goes out at once, on its own worker
foreach (['alice', 'bob'] as $to) {
    $sent = (new Task(fn (string $to): string => "mail to $to on " . AsyncTask\context()->queue() . ' (pid ' . getmypid() . ')', $to))
        ->onQueue('mail')->dispatch()->wait();
    echo $since(), "  $sent\n";
}
foreach ($reports as $report) {
    $done = $report->wait();
    echo $since(), "  $done\n";
}

foreach (AsyncTask\Pool::stats()['queues'] as $name => $q) {
    echo str_pad($name, 8), " workers {$q['workers']}, completed {$q['completed']}\n";
}

try {
    (new Task('strlen', 'x'))->onQueue('sms')->dispatch();
} catch (AsyncTask\Exception $e) {
    echo 'sms: ', $e->getMessage(), "\n";
}
