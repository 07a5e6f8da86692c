--TEST--
4 forked producers x 500 tasks (random payloads up to 256 KB) while a worker is SIGKILLed every 100 ms: each task ends once, with its exact result or WorkerCrashedException; stats count each once; nothing is left behind
--EXTENSIONS--
asynctask
pcntl
posix
--SKIPIF--
<?php
$needs = ['pcntl', 'posix'];
require __DIR__ . '/../../skipif.inc';
if (getenv('USE_ZEND_ALLOC') === '0') die('skip timing-bounded stress: too slow under valgrind/ASan (.ci/stress runs it on the release build)');
?>
--FILE--
<?php
require __DIR__ . '/stress.inc';
$seed = (int) (getenv('ASYNCTASK_STRESS_SEED') ?: random_int(1, PHP_INT_MAX >> 1));
$result = asynctask_stress_run([
    'producers' => 4,
    'tasks' => 500,
    'kill_ms' => 100,
    'seed' => $seed,
    'queue_size' => '256K',   // full most of the time; payloads over 64 KB spill
    'window' => 64,
    'deadline' => 15.0,
]);
foreach ($result['checks'] as $name => [$ok, $detail]) {
    echo $ok ? "ok $name\n" : "FAIL $name -- $detail\n";
}
if (!$result['ok']) {
    // what a failure needs to be reproduced: ASYNCTASK_STRESS_SEED=<seed>
    echo implode("\n", $result['info']), "\n";
}
?>
--EXPECT--
ok producers exited cleanly, none hung
ok every task ended exactly once: exact result or WorkerCrashedException (2000)
ok no task ran twice; every exact result came from a run (execution log)
ok the killer ran and killed workers
ok the queue filled up and dispatch() waited for room
ok stats: dispatched = 2000
ok stats: completed = exact results
ok stats: crashed = WorkerCrashedException count
ok stats: failed = crashed (no other failure)
ok stats: respawned >= kills delivered to live workers
ok stats: queued = 0, running = 0, all workers up
ok stats: dropped_results = 0
ok no spill file or foreign FIFO left while the pool runs
ok after Pool::stop(): asynctask.tmpdir empty, runtime dir removed
ok after Pool::stop(): manager and workers gone
