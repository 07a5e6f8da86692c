--TEST--
Pool::start(2) starts now with 2 workers; start() again is a no-op, with another count it throws; Pool::stop() drains, then dispatch starts a new pool
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('start-stop');
Pool::start(2);
$s = Pool::stats();
var_dump($s['workers'], $s['idle'], $s['running'], $s['queued'], $s['queue_bytes_total'] > 0);
Pool::start(2);
Pool::start();  // no count: the running pool is fine
try {
    Pool::start(3);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

// really two workers: each task waits for the other to be running
$meet = function (string $dir, int $me) {
    asynctask_test_open("$dir/w$me");
    return asynctask_test_wait_for("$dir/w" . (1 - $me), 10) ? getmypid() : 'alone';
};
$pids = AsyncTask\Future::all([AsyncTask\dispatch($meet, $dir, 0), AsyncTask\dispatch($meet, $dir, 1)]);
var_dump(is_int($pids[0]) && is_int($pids[1]) && $pids[0] !== $pids[1]);

// stop() drains queued fire-and-forget tasks first
for ($i = 0; $i < 20; $i++) {
    AsyncTask\dispatch(function (string $file, int $i) {
        usleep(5000);
        file_put_contents($file, "$i\n", FILE_APPEND | LOCK_EX);
    }, "$dir/drained", $i);
}
Pool::stop();
var_dump(count(file("$dir/drained")));
$s = Pool::stats();
var_dump($s['workers'], $s['queue_bytes_total']);
foreach ($pids as $pid) {
    var_dump(posix_kill($pid, 0));
}
Pool::stop();  // not running: nothing to do

// the next dispatch starts a new pool, with asynctask.workers=1 this time
var_dump(AsyncTask\dispatch('strrev', 'again')->wait());
var_dump(Pool::stats()['workers']);
$pid = AsyncTask\dispatch('getmypid')->wait();
var_dump(!in_array($pid, $pids, true));
Pool::stop(5.0);
Pool::start();
var_dump(Pool::stats()['workers']);

try {
    Pool::start(0);
} catch (ValueError $e) {
    echo get_class($e), "\n";
}
try {
    Pool::stop(-1);
} catch (ValueError $e) {
    echo get_class($e), "\n";
}
?>
--EXPECT--
int(2)
int(2)
int(0)
int(0)
bool(true)
AsyncTask\Exception: the pool already runs with 2 workers; call AsyncTask\Pool::stop() before starting it with 3
bool(true)
int(20)
int(0)
int(0)
bool(false)
bool(false)
string(5) "niaga"
int(1)
bool(true)
int(1)
ValueError
ValueError
