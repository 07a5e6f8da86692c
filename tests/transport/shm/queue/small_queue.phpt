--TEST--
asynctask.queue_size=1M: many more tasks than fit in the queue at once all complete, each with its exact result
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
asynctask.queue_size=1M
asynctask.dispatch_timeout=30
--FILE--
<?php
use AsyncTask\Future;
use function AsyncTask\dispatch;

var_dump(ini_get('asynctask.queue_size'));
$futures = [];
$bytes = 0;
for ($i = 0; $i < 3000; $i++) {
    $payload = str_repeat(chr(65 + $i % 26), 1000 + ($i * 7919) % 4000);
    $bytes += strlen($payload);
    $futures[$i] = dispatch(fn (string $s, int $i) => [$i, crc32($s), strlen($s)], $payload, $i);
}
var_dump($bytes > 8 << 20);
$s = AsyncTask\Pool::stats();
var_dump($s['queue_bytes_total'], $s['queue_bytes_used'] <= $s['queue_bytes_total']);

$ok = 0;
foreach (Future::all($futures) as $i => [$j, $crc, $len]) {
    $payload = str_repeat(chr(65 + $i % 26), 1000 + ($i * 7919) % 4000);
    $ok += ($i === $j && $crc === crc32($payload) && $len === strlen($payload));
}
var_dump($ok);
$s = AsyncTask\Pool::stats();
var_dump($s['completed'], $s['failed'], $s['queued'], $s['queue_bytes_used']);
?>
--EXPECT--
string(2) "1M"
bool(true)
int(1048576)
bool(true)
int(3000)
int(3000)
int(0)
int(0)
int(0)
