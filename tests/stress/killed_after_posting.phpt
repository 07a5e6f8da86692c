--TEST--
A worker SIGKILLed after its result is in the caller's mailbox but before it releases the task: the caller has the value, so stats must count the task completed only, not crashed too
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php
require __DIR__ . '/../skipif.inc';
if (!is_executable('/usr/bin/strace')) die('skip needs /usr/bin/strace (holds the worker between its post and its release)');
if (trim((string) @file_get_contents('/proc/sys/kernel/yama/ptrace_scope')) > '0' && posix_geteuid() !== 0) die('skip ptrace is restricted');
?>
--INI--
asynctask.log=/dev/null
--FILE--
<?php
AsyncTask\Pool::start(1);
$worker = AsyncTask\Pool::stats()['worker_pids'][0];
// strace holds the worker 3 s on its way out of each write() from the second on. A worker puts
// a result in its caller's mailbox (shared memory), then, when the caller sleeps in poll(),
// rings it: a write() to its FIFO. Each task here sleeps first, so that its caller is asleep
// when the result comes: the first write is the warm-up task's doorbell (which proves strace is
// in place), the second the real task's, whose result is in the mailbox by then while the worker
// has not yet marked it delivered (and strace keeps the killed worker from its manager until
// those 3 s are over). The manager cannot tell and reports a crash; the caller, which has the
// value, must undo that count. (tests/faults/worker_killed.phpt kills a worker at the same place,
// "result.posted", in fault-injection builds.)
$log = tempnam(sys_get_temp_dir(), 'asynctask-strace-');
$strace = proc_open(['/usr/bin/strace', '-qq', '-o', $log, '-p', (string) $worker, '-e', 'trace=write',
    '-e', 'inject=write:delay_exit=3000000:when=2+'], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'],
    2 => ['file', '/dev/null', 'w']], $pipes, null,
    // strace is not ours to check: no sanitizer preloaded into it (.ci/asan)
    array_diff_key(getenv(), ['LD_PRELOAD' => 1, 'ASAN_OPTIONS' => 1, 'UBSAN_OPTIONS' => 1, 'LSAN_OPTIONS' => 1]));
$deadline = hrtime(true) + 20e9;
while (!preg_match('/^TracerPid:\s+[1-9]/m', (string) @file_get_contents("/proc/$worker/status")) && hrtime(true) < $deadline) {
    usleep(1000);
}
$warmup = AsyncTask\dispatch(static function () {
    usleep(200000);
    return 'warm';
});
$warmup->wait(20);
while (!str_contains((string) @file_get_contents($log), 'write(') && hrtime(true) < $deadline) {
    usleep(1000);
}
$f = AsyncTask\dispatch(static function () {
    usleep(200000);
    return str_repeat('v', 3);
});
var_dump($f->wait(20));                          // the value arrived; the worker sits in its doorbell's write()
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
?>
--EXPECT--
string(3) "vvv"
int(1)
bool(true)
string(6) "SERVED"
completed 3, failed 0, crashed 0, dispatched 3
