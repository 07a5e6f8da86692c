--TEST--
Fault injection: a worker killed after its task ended and was counted, when the process that dispatched it no longer listens (it exited): nobody can see a crash, the task's work was done, so it counts completed (its result dropped) and the log says so, never "killed" for it
--EXTENSIONS--
asynctask
pcntl
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
if (!extension_loaded('pcntl')) die('skip needs pcntl');
?>
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;

$tmp = asynctask_test_dir('caller_gone');
ini_set('asynctask.tmpdir', $tmp);
ini_set('asynctask.log', "$tmp/asynctask.log");
// every worker (and every replacement) dies the 2nd time it has counted a task's outcome
putenv('ASYNCTASK_FAULT=worker.counted:2');
Pool::start();
putenv('ASYNCTASK_FAULT');

$gate = "$tmp/gate";
$child = pcntl_fork();
if ($child === 0) {
    // fire and forget, then leave (its mailbox and pipe go with it)
    for ($n = 1; $n <= 8; $n++) {
        AsyncTask\dispatch(function (string $dir, string $gate, int $n) {
            asynctask_test_wait_for($gate);
            return fault_test_task($dir, $n, '');
        }, $tmp, $gate, $n);
    }
    exit(0);
}
pcntl_waitpid($child, $status);
asynctask_test_open($gate);
$s = fault_test_wait_idle();
$runs = fault_test_runs($tmp);
// the manager logs a worker's end after it has replaced it (respawned counts first)
$deadline = microtime(true) + 5;
for (;;) {
    $log = file_get_contents("$tmp/asynctask.log");
    $ended = preg_match_all('/after task \d+ had ended; its caller no longer waited: counted as it ended/', $log);
    if ($ended >= $s['respawned'] || microtime(true) > $deadline) {
        break;
    }
    usleep(5000);
}
printf("ran once each: %s\n", count($runs) === 8 && array_values(array_unique($runs)) === [1] ? 'yes' : json_encode($runs));
printf("dispatched %d, completed %d, failed %d, crashed %d, dropped %d\n", $s['dispatched'], $s['completed'],
    $s['failed'], $s['crashed'], $s['dropped_results']);
printf("workers killed after counting: %s; logged as crashes: %d\n", $ended > 0 && $ended === $s['respawned'] ? 'each logged as ended' : "$ended for {$s['respawned']} respawns",
    preg_match_all('/running task \d+ was killed/', $log));
Pool::stop();
?>
--EXPECT--
ran once each: yes
dispatched 8, completed 8, failed 0, crashed 0, dropped 8
workers killed after counting: each logged as ended; logged as crashes: 0
