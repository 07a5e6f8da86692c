--TEST--
The manager killed with SIGKILL: its workers exit, every pending Future fails with WorkerCrashedException, nothing is left on disk, and the next dispatch starts a new pool
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=2
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('manager_killed');
ini_set('asynctask.tmpdir', $dir);
Pool::start();
$before = Pool::stats();
$held = [];
foreach ([0, 1] as $i) {
    $held[] = AsyncTask\dispatch(function (string $dir, int $i) {
        asynctask_test_open("$dir/running-$i");
        return asynctask_test_wait_for("$dir/never");
    }, $dir, $i);
    asynctask_test_wait_for("$dir/running-$i");
}
// queued behind them: a small task and one large enough to be spilled to a file
$queued = [AsyncTask\dispatch('strlen', 'x'), AsyncTask\dispatch('strlen', str_repeat('y', 8 << 20))];
var_dump(count(glob("$dir/asynctask-*/spill-*")));

posix_kill($before['manager_pid'], SIGKILL);
foreach ([...$held, ...$queued] as $f) {
    try {
        $f->wait(10);
        echo "no exception\n";
    } catch (AsyncTask\WorkerCrashedException $e) {
        echo preg_replace('/\d+/', 'N', $e->getMessage()), "\n";
    }
}
// the workers do not outlive their manager
$deadline = microtime(true) + 5;
while (array_filter($before['worker_pids'], fn ($pid) => file_exists("/proc/$pid") && !str_contains(file_get_contents("/proc/$pid/stat"), ') Z ')) && microtime(true) < $deadline) {
    usleep(10000);
}
var_dump(array_values(array_filter($before['worker_pids'], fn ($pid) => file_exists("/proc/$pid") && !str_contains(file_get_contents("/proc/$pid/stat"), ') Z '))));

// a new pool on the next dispatch; the old one's directory and spill file are gone
var_dump(AsyncTask\dispatch('strtoupper', 'again')->wait(10));
$after = Pool::stats();
var_dump($after['manager_pid'] !== $before['manager_pid'], $after['workers']);
var_dump(count(glob("$dir/asynctask-*")), glob("$dir/asynctask-*/spill-*"));
?>
--EXPECT--
int(1)
the pool stopped before task N reported a result
the pool stopped before task N reported a result
the pool stopped before task N reported a result
the pool stopped before task N reported a result
array(0) {
}
string(5) "AGAIN"
bool(true)
int(2)
int(1)
array(0) {
}
