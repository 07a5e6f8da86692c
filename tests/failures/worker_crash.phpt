--TEST--
A worker killed mid-task: WorkerCrashedException names the signal, the pool respawns and goes on
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
try {
    AsyncTask\dispatch(function () { posix_kill(posix_getpid(), SIGKILL); sleep(5); })->wait();
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump($e instanceof AsyncTask\TaskFailedException, str_contains($e->getMessage(), 'signal 9'));
}
var_dump(AsyncTask\dispatch('strtoupper', 'alive')->wait());
$stats = AsyncTask\Pool::stats();
var_dump($stats['crashed'], $stats['respawned'] >= 1, $stats['failed'], $stats['completed'], $stats['workers']);
?>
--EXPECT--
bool(true)
bool(true)
string(5) "ALIVE"
int(1)
bool(true)
int(1)
int(1)
int(1)
