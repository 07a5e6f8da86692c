--TEST--
Named queues across worker replacement: Pool::reload() replaces every worker and each queue keeps its worker count and its tasks; asynctask.max_requests recycles a worker into its own queue; a task past its time limit in a named queue fails with TaskTimeoutException, counted timed_out in that queue, and its worker is replaced there
--EXTENSIONS--
asynctask
--INI--
asynctask.log=/dev/null
asynctask.queues="default:1,mail:2,reports:1"
asynctask.max_requests=5
--FILE--
<?php
use AsyncTask\Pool;
use AsyncTask\Task;

$run = function (string $queue, int $n): array {
    $futures = [];
    for ($i = 0; $i < $n; $i++) {
        $futures[] = (new Task(fn () => [getmypid(), AsyncTask\context()->queue()]))->onQueue($queue)->dispatch();
    }
    $seen = [];
    foreach (AsyncTask\Future::all($futures, 20) as [$pid, $q]) {
        $seen[$q][$pid] = true;
    }
    return $seen;
};
Pool::start();
$old = Pool::stats()['worker_pids'];

// 12 tasks per queue with max_requests=5: each worker is recycled, into its queue
foreach (['default', 'mail', 'reports'] as $queue) {
    $seen = $run($queue, 12);
    echo $queue, ': ', implode(',', array_keys($seen)), ' on ', count($seen[$queue]) > 1 ? 'several workers' : 'one worker', "\n";
}
$s = Pool::stats();
foreach ($s['queues'] as $name => $q) {
    echo $name, ': workers=', $q['workers'], ' respawned>0=', var_export($q['respawned'] > 0, true), "\n";
}
var_dump($s['respawned'] === array_sum(array_column($s['queues'], 'respawned')), $s['failed']);

// reload: every worker replaced, the queues as they were
ini_set('asynctask.max_requests', '0');   // (for the next pool; this one keeps 5)
$before = Pool::stats()['worker_pids'];
Pool::reload();
// (under valgrind, USE_ZEND_ALLOC=0, a worker takes seconds to start)
for ($deadline = microtime(true) + (getenv('USE_ZEND_ALLOC') === '0' ? 90 : 15); array_intersect($before, Pool::stats()['worker_pids']) && microtime(true) < $deadline; ) {
    $run('default', 1);
    $run('mail', 1);
    $run('reports', 1);
}
$s = Pool::stats();
var_dump(array_intersect($before, $s['worker_pids']), array_intersect($old, $s['worker_pids']), count($s['worker_pids']),
    array_map(fn ($q) => $q['workers'], $s['queues']));
foreach (['default', 'mail', 'reports'] as $queue) {
    echo $queue, ': ', implode(',', array_keys($run($queue, 4))), "\n";
}

// a time limit in a named queue
try {
    (new Task(fn () => sleep(30)))->onQueue('reports')->withTimeout(0.3)->dispatch()->wait(10);
} catch (AsyncTask\TaskTimeoutException $e) {
    echo get_class($e), "\n";
}
echo 'reports: ', implode(',', array_keys($run('reports', 2))), "\n";
$s = Pool::stats();
var_dump($s['queues']['reports']['timed_out'], $s['queues']['mail']['timed_out'], $s['queues']['default']['timed_out'],
    $s['timed_out'], $s['queues']['reports']['workers']);
?>
--EXPECT--
default: default on several workers
mail: mail on several workers
reports: reports on several workers
default: workers=1 respawned>0=true
mail: workers=2 respawned>0=true
reports: workers=1 respawned>0=true
bool(true)
int(0)
array(0) {
}
array(0) {
}
int(4)
array(3) {
  ["default"]=>
  int(1)
  ["mail"]=>
  int(2)
  ["reports"]=>
  int(1)
}
default: default
mail: mail
reports: reports
AsyncTask\TaskTimeoutException
reports: reports
int(1)
int(0)
int(0)
int(1)
int(1)
