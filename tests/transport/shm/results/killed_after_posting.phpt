--TEST--
A worker SIGKILLed just after writing a result to the pipe of a caller that has no mailbox (all 64 are taken): the manager cannot tell it was delivered and reports a crash; the caller, which had the value, corrects the count and says so in the log, so stats count the task completed only
--EXTENSIONS--
asynctask
posix
pcntl
--SKIPIF--
<?php
require __DIR__ . '/../../../skipif.inc';
if (!is_executable('/usr/bin/strace')) die('skip needs /usr/bin/strace (holds the worker on its way out of the write())');
if (trim((string) @file_get_contents('/proc/sys/kernel/yama/ptrace_scope')) > '0' && posix_geteuid() !== 0) die('skip ptrace is restricted');
?>
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
$dir = asynctask_test_dir('killed_after_posting');
ini_set('asynctask.log', "$dir/asynctask.log");
AsyncTask\Pool::start(1);
$worker = AsyncTask\Pool::stats()['worker_pids'][0];

// 63 holders take the other mailboxes (this process has one): a process forked now has none,
// and its results come through its pipe, one write() each
$holders = [];
for ($h = 0; $h < 63; $h++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        AsyncTask\dispatch('strlen', 'x')->wait(20);
        touch("$dir/holding-$h");
        asynctask_test_wait_for("$dir/release", 60);
        exit(0);
    }
    $holders[] = $pid;
}
while (count(glob("$dir/holding-*")) < 63) {
    usleep(2000);
}

$caller = pcntl_fork();
if ($caller === 0) {
    ob_start();
    // strace holds the worker 3 s on its way out of each write(): the result is in our pipe by
    // then, while the worker has not yet noted it delivered (and strace keeps the killed worker
    // from its manager until those 3 s are over)
    $log = tempnam(sys_get_temp_dir(), 'asynctask-strace-');
    $strace = proc_open(['/usr/bin/strace', '-qq', '-o', $log, '-p', (string) $worker, '-e', 'trace=write',
        '-e', 'inject=write:delay_exit=3000000'], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'],
        2 => ['file', '/dev/null', 'w']], $pipes, null,
        // strace is not ours to check: no sanitizer preloaded into it (.ci/asan)
        array_diff_key(getenv(), ['LD_PRELOAD' => 1, 'ASAN_OPTIONS' => 1, 'UBSAN_OPTIONS' => 1, 'LSAN_OPTIONS' => 1]));
    $deadline = hrtime(true) + 20e9;
    while (!preg_match('/^TracerPid:\s+[1-9]/m', (string) @file_get_contents("/proc/$worker/status")) && hrtime(true) < $deadline) {
        usleep(1000);
    }
    $f = AsyncTask\dispatch(static fn () => str_repeat('v', 3));
    var_dump(AsyncTask\Pool::stats()['mailboxes_used']);
    var_dump($f->wait(20));                          // the value arrived; the worker sits in its write()
    var_dump(AsyncTask\Pool::stats()['running']);    // and still holds the task
    var_dump(posix_kill($worker, SIGKILL));
    $deadline = hrtime(true) + 20e9;
    while (AsyncTask\Pool::stats()['respawned'] < 1 && hrtime(true) < $deadline) {
        usleep(1000);
    }
    proc_close($strace);
    unlink($log);
    // the replacement serves; by then the manager's report for the killed worker is in our pipe
    var_dump(AsyncTask\dispatch('strtoupper', 'served')->wait(20));
    $s = AsyncTask\Pool::stats();
    echo "completed {$s['completed']}, failed {$s['failed']}, crashed {$s['crashed']}, dispatched {$s['dispatched']}\n";
    file_put_contents("$dir/caller.out", ob_get_clean());
    exit(0);
}
pcntl_waitpid($caller, $status);
touch("$dir/release");
foreach ($holders as $pid) {
    pcntl_waitpid($pid, $status);
}
echo file_get_contents("$dir/caller.out");
$log = file_get_contents("$dir/asynctask.log");
printf("logged: killed %d, corrected by the caller %d\n", preg_match_all('/running task \d+ was killed/', $log),
    preg_match_all('/had reached its caller before its worker was killed: counted as it ended/', $log));
?>
--EXPECT--
int(64)
string(3) "vvv"
int(1)
bool(true)
string(6) "SERVED"
completed 65, failed 0, crashed 0, dispatched 65
logged: killed 1, corrected by the caller 1
