--TEST--
A worker SIGKILLed while it posts a result (its caller's mailbox or pipe is full): the caller gets WorkerCrashedException, so stats must not count the task completed, and the result's spill file must not stay behind
--EXTENSIONS--
asynctask
pcntl
posix
--INI--
asynctask.serializer=php
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
$dir = asynctask_test_dir('killed-posting');
ini_set('asynctask.tmpdir', $dir);
ini_set('asynctask.log', '/dev/null');
AsyncTask\Pool::start(1);
$worker = AsyncTask\Pool::stats()['worker_pids'][0];

// 16 results of 4096 bytes each fill the caller's 64 KB mailbox (or result pipe, without one;
// nothing reads either until the kill): a message is a 24-byte header and the value, a
// 4066-byte string in the compact encoding (src/compact.h): 6 bytes more.
// The first task waits at a gate until all are queued: dispatch() reads its results, so no
// result may arrive before the last dispatch.
$futures = [];
$futures[0] = AsyncTask\dispatch(function (string $gate) {
    asynctask_test_wait_for($gate);
    return str_repeat('a', 4066);
}, "$dir/gate");
for ($i = 1; $i < 16; $i++) {
    $futures[$i] = AsyncTask\dispatch('str_repeat', 'a', 4066);
}
// a result too large for one message: spilled to a file, then posted; the post blocks
$futures[16] = AsyncTask\dispatch('str_repeat', 'b', 100000);
touch("$dir/gate");

// the worker has run all 17 and holds the last result: spilled to a file, waiting for room in
// the mailbox (nothing in this process reads it, stats() included, until the kill)
$spilled = fn () => glob("$dir/asynctask-*/spill-*");
$deadline = hrtime(true) + 20e9;
while (!$spilled() && hrtime(true) < $deadline) {
    usleep(1000);
}
var_dump(count($spilled()), posix_kill($worker, SIGKILL));

$exact = 0;
foreach ($futures as $i => $f) {
    try {
        $exact += $f->wait(20) === str_repeat($i < 16 ? 'a' : 'b', $i < 16 ? 4066 : 100000);
    } catch (AsyncTask\WorkerCrashedException $e) {
        echo "task $i: WorkerCrashedException\n";
    }
}
$s = AsyncTask\Pool::stats();
echo "exact $exact, completed {$s['completed']}, failed {$s['failed']}, crashed {$s['crashed']}, dispatched {$s['dispatched']}\n";
// while the pool runs: only this process's result FIFO in the runtime dir
var_dump(array_map('basename', glob("$dir/asynctask-*/*")) === [getmypid() . '.fifo']);
AsyncTask\Pool::stop();
unlink("$dir/gate");
var_dump(glob("$dir/*"));
?>
--EXPECT--
int(1)
bool(true)
task 16: WorkerCrashedException
exact 16, completed 16, failed 1, crashed 1, dispatched 17
bool(true)
array(0) {
}
