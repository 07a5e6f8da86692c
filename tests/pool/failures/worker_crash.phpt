--TEST--
A worker killed by SIGKILL mid-task (by itself, or from outside): WorkerCrashedException names the signal, the pool respawns and goes on
--EXTENSIONS--
asynctask
posix
pcntl
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('crash');

try {
    AsyncTask\dispatch(function () { posix_kill(posix_getpid(), SIGKILL); return 'survived'; })->wait();
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump($e instanceof AsyncTask\TaskFailedException, str_contains($e->getMessage(), 'signal 9'));
}
var_dump(AsyncTask\dispatch('strtoupper', 'alive')->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['crashed'] >= 1, $s['respawned'] >= 1, $s['workers']);

// killed by someone else while it runs: the task tells us its pid, then waits
$future = AsyncTask\dispatch(function (string $dir) {
    asynctask_test_open("$dir/pid", (string) getmypid());
    asynctask_test_wait_for("$dir/never");
    return 'not killed';
}, $dir);
asynctask_test_wait_for("$dir/pid");
$pid = (int) file_get_contents("$dir/pid");
var_dump($pid > 0 && $pid !== getmypid(), $pid > 0 && posix_kill($pid, SIGKILL));
try {
    $future->wait(10);
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'signal 9'), str_contains($e->getMessage(), (string) $pid));
}
// the replacement serves, in another process
var_dump(AsyncTask\dispatch(fn () => getmypid())->wait() !== $pid);
$s = AsyncTask\Pool::stats();
var_dump($s['crashed'], $s['respawned'] >= 2, $s['failed'], $s['completed'], $s['workers']);
?>
--EXPECT--
bool(true)
bool(true)
string(5) "ALIVE"
bool(true)
bool(true)
int(1)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
int(2)
bool(true)
int(2)
int(2)
int(1)
