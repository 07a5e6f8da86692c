--TEST--
Redis Sentinel: dispatch() through redis-sentinel:// asks the Sentinels in turn (a dead one first), lands the entries on the master they name and the replica gets them; a master name no Sentinel knows is refused at once, naming the Sentinels asked
--EXTENSIONS--
asynctask
posix
pcntl
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=10
--FILE--
<?php
require __DIR__ . '/sentinel.inc';
require __DIR__ . '/dispatch.inc';

$t = new SentinelTopology('dispatch');
$dead = redis_test_free_port();   // nobody listens there: the next Sentinel answers
[$secret, $prefix] = dispatch_test_setup('sentinel_dispatch', $t->url([$dead]));
$stream = dispatch_test_stream($prefix);

$ids = [];
for ($i = 0; $i < 20; $i++) {
    $ids[] = AsyncTask\dispatch('strtoupper', "task $i")->id();
}
var_dump($t->call($t->master, 'XLEN', $stream));
var_dump(sentinel_stream_ids($t, $t->master, $stream, $secret) === $ids);
// the replica has them once it caught up (redis_replicas=0: dispatch() did not wait for it)
var_dump(sentinel_wait_until(fn () => $t->call($t->replica, 'XLEN', $stream) === 20));
var_dump(sentinel_stream_ids($t, $t->replica, $stream, $secret) === $ids);
var_dump(AsyncTask\Pool::stats()['dispatched']);

// a master name that no Sentinel knows: every one answered, waiting would not help
ini_set('asynctask.backend', $t->url([], 'nosuchmaster'));
[$out, $seconds] = redis_test_timed(fn () => AsyncTask\dispatch('strtoupper', 'x'));
echo str_replace((string) $t->sentinels[0], 'S', $out), "\n";
var_dump($seconds < 5);
?>
--EXPECT--
int(20)
bool(true)
bool(true)
bool(true)
int(20)
AsyncTask\BackendException: no Sentinel named the master 'nosuchmaster' (tried 127.0.0.1:S: knows no master named 'nosuchmaster')
bool(true)
