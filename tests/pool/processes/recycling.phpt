--TEST--
asynctask.max_requests: workers are replaced every N tasks while a burst of queued tasks drains; none is dropped or failed
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
asynctask.max_requests=3
asynctask.log=/dev/null
--FILE--
<?php
$futures = [];
for ($i = 0; $i < 300; $i++) {
    $futures[] = AsyncTask\dispatch(fn (int $i) => [$i, getmypid()], $i);
}
$results = AsyncTask\Future::all($futures, 30);
var_dump(array_column($results, 0) === range(0, 299));
$perWorker = array_count_values(array_column($results, 1));
var_dump(count($perWorker) >= 100, max($perWorker) <= 3);
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['respawned'] >= 98, $s['workers']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(300)
int(300)
int(0)
bool(true)
int(2)
