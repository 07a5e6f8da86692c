<?php
/*
 * asynctask.max_memory: a worker that keeps more than the limit after a task
 * is replaced before it takes another; the task itself is never lost.
 *   php -d extension=modules/asynctask.so -d asynctask.workers=1 -d asynctask.max_memory=32M examples/jobs/max-memory.php
 */
declare(strict_types=1);

use function AsyncTask\dispatch;

if ((int) ini_get('asynctask.max_memory') === 0) {
    ini_set('asynctask.max_memory', '32M');   // before the pool starts: workers take it when forked
}
AsyncTask\Pool::start(1);

// A leaky task: each run keeps 10 MB in a global, as a cache that is never pruned would.
$leaky = function (int $i): array {
    $GLOBALS['cache'][] = str_repeat('x', 10 << 20);
    return [getmypid(), count($GLOBALS['cache'])];
};
for ($i = 1; $i <= 8; $i++) {
    [$pid, $held] = dispatch($leaky, $i)->wait();
    printf("task %d ran on worker %d, which holds %d MB of cache\n", $i, $pid, $held * 10);
}
printf("workers replaced: %d (asynctask.log says why)\n", AsyncTask\Pool::stats()['respawned']);
