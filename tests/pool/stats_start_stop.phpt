--TEST--
Pool: stats() keys, start() and stop(), a stopped pool restarts on the next dispatch
--EXTENSIONS--
asynctask
--FILE--
<?php
use AsyncTask\Pool;

$idle = Pool::stats();
$keys = ['workers', 'idle', 'queued', 'running', 'completed', 'failed', 'crashed', 'timed_out',
    'respawned', 'queue_bytes_used', 'queue_bytes_total'];
var_dump(array_diff($keys, array_keys($idle)), array_sum(array_intersect_key($idle, array_flip($keys))));

Pool::start(2);
$f = AsyncTask\dispatch('strtoupper', 'up');
var_dump($f->wait());
$s = Pool::stats();
var_dump($s['workers'], $s['completed'], $s['queue_bytes_total'] === 16 << 20);
try {
    Pool::start(3);
} catch (AsyncTask\Exception $e) {
    echo $e->getMessage(), "\n";
}
Pool::stop();
var_dump(Pool::stats()['workers']);
var_dump(AsyncTask\dispatch('strrev', 'again')->wait());
try {
    Pool::start(0);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
array(0) {
}
int(0)
string(2) "UP"
int(2)
int(1)
bool(true)
the pool already runs with 2 workers; call AsyncTask\Pool::stop() before starting it with 3
int(0)
string(5) "niaga"
AsyncTask\Pool::start(): Argument #1 ($workers) must be null (asynctask.workers) or between 1 and 1024
