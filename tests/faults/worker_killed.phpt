--TEST--
Fault injection: a worker killed at each point of taking a task and delivering its outcome: every task runs exactly once and ends once, with its value or WorkerCrashedException, and stats() count exactly what the callers saw
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;

// point => what a caller sees when a worker dies there
$points = [
    'queue.take.claimed' => 'values',      // inside the lock: the take is rolled back, another worker runs it
    'queue.take.done' => 'values',
    'worker.counted' => 'crashes',         // outcome counted, not delivered: the count is undone, a crash reported
    'result.spilled' => 'crashes',         // large result written to a file, not delivered: the file is removed
    'result.posted' => 'values',           // posted, not noted: the manager's crash report comes late, the caller corrects
    'worker.delivered' => 'values',        // delivered: nothing more is reported
];
$tmp = asynctask_test_dir('worker_killed');
ini_set('asynctask.tmpdir', $tmp);
foreach ($points as $point => $expect) {
    $dir = "$tmp/$point";
    mkdir($dir);
    // every worker (and every replacement) dies the 3rd time it passes $point
    putenv("ASYNCTASK_FAULT=$point:3");
    Pool::start();
    putenv('ASYNCTASK_FAULT');
    $futures = [];
    for ($n = 1; $n <= 30; $n++) {
        // results of 8 KB: too large for one pipe message, so they are spilled to files
        $futures[$n] = AsyncTask\dispatch(function (string $dir, int $n) {
            fault_test_task($dir, $n, '');
            return str_repeat(chr(64 + $n), 8192);
        }, $dir, $n);
    }
    $values = $crashes = 0;
    foreach ($futures as $n => $f) {
        try {
            $values += $f->wait(20) === str_repeat(chr(64 + $n), 8192);
        } catch (AsyncTask\WorkerCrashedException $e) {
            $crashes++;
        }
    }
    $s = fault_test_wait_idle();
    // a worker killed after posting, before noting it, is reported crashed by its manager after
    // the value reached us: that report corrects the counts when it arrives (stats() reads it)
    $deadline = microtime(true) + 5;
    while ([$s['completed'], $s['failed'], $s['crashed']] !== [$values, $crashes, $crashes] && microtime(true) < $deadline) {
        usleep(5000);
        $s = AsyncTask\Pool::stats();
    }
    $runs = fault_test_runs($dir);
    printf("%s: %s; every task ran once: %s; stats match: %s; workers died: %s\n", $point,
        $values + $crashes === 30 ? ($crashes ? ($values < 30 ? 'crashes' : '?') : 'values') : "LOST " . (30 - $values - $crashes),
        count($runs) === 30 && array_values(array_unique($runs)) === [1] ? 'yes' : json_encode($runs),
        [$s['dispatched'], $s['completed'], $s['failed'], $s['crashed']] === [30, $values, $crashes, $crashes]
            ? 'yes' : json_encode([$s['dispatched'], $s['completed'], $s['failed'], $s['crashed'], $values, $crashes]),
        $s['respawned'] > 0 ? 'yes' : 'no');
    Pool::stop();
    var_dump(fault_test_leftovers($tmp));
}
?>
--EXPECT--
queue.take.claimed: values; every task ran once: yes; stats match: yes; workers died: yes
array(0) {
}
queue.take.done: values; every task ran once: yes; stats match: yes; workers died: yes
array(0) {
}
worker.counted: crashes; every task ran once: yes; stats match: yes; workers died: yes
array(0) {
}
result.spilled: crashes; every task ran once: yes; stats match: yes; workers died: yes
array(0) {
}
result.posted: values; every task ran once: yes; stats match: yes; workers died: yes
array(0) {
}
worker.delivered: values; every task ran once: yes; stats match: yes; workers died: yes
array(0) {
}
