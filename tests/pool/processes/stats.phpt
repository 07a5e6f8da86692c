--TEST--
Pool::stats(): every contract key, all 0 with no pool; dispatch() starts the pool lazily; values while tasks run
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('stats');
$idle = Pool::stats();
var_dump(array_diff(ASYNCTASK_TEST_STATS_KEYS, array_keys($idle)));
var_dump(array_filter($idle, fn ($v) => $v !== 0 && $v !== []));

// the first dispatch starts the pool
$f = AsyncTask\dispatch('strtoupper', 'lazy');
var_dump($f->wait());
$s = Pool::stats();
var_dump($s['workers'], $s['completed'], $s['queue_bytes_total'], $s['idle'] + $s['running'] === $s['workers']);
$pids = $s['worker_pids'];
unset($s['worker_pids'], $s['queues']);   // (the per-queue figures: tests/pool/queues)
var_dump(array_filter($s, fn ($v) => !is_int($v) || $v < 0), count($pids), $s['manager_pid'] > 0,
    array_filter($pids, fn ($pid) => !file_exists("/proc/$pid")));

// two tasks held running, one queued behind them
$held = [];
for ($i = 0; $i < 2; $i++) {
    $held[] = AsyncTask\dispatch(function (string $dir, int $i) {
        asynctask_test_open("$dir/running-$i");
        return asynctask_test_wait_for("$dir/gate");
    }, $dir, $i);
}
$queued = AsyncTask\dispatch('strlen', str_repeat('q', 5000));
asynctask_test_wait_for("$dir/running-0");
asynctask_test_wait_for("$dir/running-1");
$s = Pool::stats();
var_dump($s['workers'], $s['running'], $s['idle'], $s['queued'], $s['queue_bytes_used'] > 5000,
    $s['queue_bytes_used'] < $s['queue_bytes_total']);
touch("$dir/gate");
var_dump(AsyncTask\Future::all([...$held, $queued]));
$s = Pool::stats();
var_dump($s['idle'] + $s['running'], $s['queued'], $s['queue_bytes_used'], $s['completed'], $s['failed']);
?>
--EXPECT--
array(0) {
}
array(0) {
}
string(4) "LAZY"
int(2)
int(1)
int(16777216)
bool(true)
array(0) {
}
int(2)
bool(true)
array(0) {
}
int(2)
int(2)
int(0)
int(1)
bool(true)
bool(true)
array(3) {
  [0]=>
  bool(true)
  [1]=>
  bool(true)
  [2]=>
  int(5000)
}
int(2)
int(0)
int(0)
int(4)
int(0)
