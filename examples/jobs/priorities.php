<?php
/*
 * Priorities: a waiting HIGH task is taken before any waiting NORMAL one,
 * NORMAL before LOW; FIFO within a level.
 *   php -d extension=modules/asynctask.so examples/jobs/priorities.php
 */
declare(strict_types=1);

use AsyncTask\Task;

AsyncTask\Pool::start(1);

// Keep the only worker busy for a moment, so that the tasks below wait in the queue.
$busy = AsyncTask\dispatch(fn () => usleep(300000));

$log = tempnam(sys_get_temp_dir(), 'priorities');
$job = function (string $name) use ($log): void {
    file_put_contents($log, "$name\n", FILE_APPEND);
};
$futures = [];
foreach ([['newsletter 1', Task::LOW], ['report', Task::NORMAL], ['payment callback 1', Task::HIGH],
          ['newsletter 2', Task::LOW], ['payment callback 2', Task::HIGH], ['thumbnail', Task::NORMAL]] as [$name, $priority]) {
    $futures[] = (new Task($job, $name))->withPriority($priority)->dispatch();
}
AsyncTask\Future::all($futures);
echo "ran in this order:\n  ", implode("\n  ", file($log, FILE_IGNORE_NEW_LINES)), "\n";
unlink($log);
