--TEST--
A small queue: producers wait for room; QueueFullException after asynctask.dispatch_timeout; every task completes
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=64K
asynctask.dispatch_timeout=0.3
--FILE--
<?php
use AsyncTask\Future;
use function AsyncTask\dispatch;

$gate = sys_get_temp_dir() . '/asynctask-gate-' . getmypid();
@unlink($gate);
$blocker = dispatch(function (string $gate) { while (!file_exists($gate)) usleep(2000); return 'done'; }, $gate);

$queued = [];
try {
    for ($i = 0; $i < 10000; $i++) {
        $queued[] = dispatch('strlen', str_repeat('x', 1000));
    }
    echo "never full\n";
} catch (AsyncTask\QueueFullException $e) {
    var_dump($i > 10 && $i < 100, str_contains($e->getMessage(), 'asynctask.dispatch_timeout'));
}
touch($gate);
var_dump($blocker->wait(), array_sum(Future::all($queued)) === 1000 * count($queued));
unlink($gate);

$futures = [];
$expected = 0;
for ($i = 0; $i < 3000; $i++) {
    $n = ($i * 7919) % 20000;
    $futures[] = dispatch('strlen', str_repeat('y', $n));
    $expected += $n;
}
var_dump(array_sum(Future::all($futures)) === $expected);
$s = AsyncTask\Pool::stats();
var_dump($s['queue_bytes_total'], $s['queued'], $s['completed'] === count($queued) + 3001);
?>
--EXPECT--
bool(true)
bool(true)
string(4) "done"
bool(true)
bool(true)
int(65536)
int(0)
bool(true)
