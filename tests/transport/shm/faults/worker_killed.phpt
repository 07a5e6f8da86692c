--TEST--
Fault injection: a worker killed at each point of taking a task and delivering its outcome: every task runs exactly once and ends once, with its value or WorkerCrashedException, and stats() count exactly what the callers saw as soon as they saw it
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
memory_limit=512M

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
    'mailbox.bulk.reserved' => 'crashes',  // room for a large result taken in the caller's mailbox, its message not
                                           // published: the next holder of the lock gives the room back
    'mailbox.published' => 'values',       // in the caller's mailbox, the claim not yet noted: the next holder of the lock notes it
    'result.posted' => 'values',           // posted and noted
    'worker.delivered' => 'values',        // delivered: nothing more is reported
];
$tmp = asynctask_test_dir('worker_killed');
ini_set('asynctask.tmpdir', $tmp);
ini_set('asynctask.log', "$tmp/asynctask.log");
foreach ($points as $point => $expect) {
    $dir = "$tmp/$point";
    mkdir($dir);
    // every worker (and every replacement) dies the 3rd time it passes $point
    putenv("ASYNCTASK_FAULT=$point:3");
    Pool::start();
    putenv('ASYNCTASK_FAULT');
    $futures = [];
    $size = $point === 'result.spilled' ? 5000000 : 8192;
    for ($n = 1; $n <= 30; $n++) {
        // results of 8 KB: too large for one pipe message, so they go to the caller's mailbox's
        // bulk ring; of 5 MB (result.spilled), too large for that too, so they are spilled to files
        $futures[$n] = AsyncTask\dispatch(function (string $dir, int $n, int $size) {
            fault_test_task($dir, $n, '');
            return str_repeat(chr(64 + $n), $size);
        }, $dir, $n, $size);
    }
    $values = $crashes = 0;
    foreach ($futures as $n => $f) {
        try {
            $values += $f->wait(20) === str_repeat(chr(64 + $n), $size);
        } catch (AsyncTask\WorkerCrashedException $e) {
            $crashes++;
        }
    }
    // the outcome of a task whose worker died is decided by the manager once, before the caller
    // can see it: the counts are right as soon as the callers have their outcomes
    $s = fault_test_wait_idle();
    $runs = fault_test_runs($dir);
    // the log agrees: a task is logged as crashed only when its caller was told so
    $log = (string) @file_get_contents("$tmp/asynctask.log");
    @unlink("$tmp/asynctask.log");
    $logged = preg_match_all('/running task \d+ was killed/', $log) + preg_match_all('/reached its caller before/', $log);
    printf("%s: %s; every task ran once: %s; stats match: %s; log agrees: %s; workers died: %s\n", $point,
        $values + $crashes === 30 ? ($crashes ? ($values < 30 ? 'crashes' : '?') : 'values') : "LOST " . (30 - $values - $crashes),
        count($runs) === 30 && array_values(array_unique($runs)) === [1] ? 'yes' : json_encode($runs),
        [$s['dispatched'], $s['completed'], $s['failed'], $s['crashed']] === [30, $values, $crashes, $crashes]
            ? 'yes' : json_encode([$s['dispatched'], $s['completed'], $s['failed'], $s['crashed'], $values, $crashes]),
        $logged === $crashes ? 'yes' : "$logged crash lines for $crashes crashes",
        $s['respawned'] > 0 ? 'yes' : 'no');
    Pool::stop();
    var_dump(fault_test_leftovers($tmp));
}
?>
--EXPECT--
queue.take.claimed: values; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
queue.take.done: values; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
worker.counted: crashes; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
result.spilled: crashes; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
mailbox.bulk.reserved: crashes; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
mailbox.published: values; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
result.posted: values; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
worker.delivered: values; every task ran once: yes; stats match: yes; log agrees: yes; workers died: yes
array(0) {
}
