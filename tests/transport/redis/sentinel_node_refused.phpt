--TEST--
Redis Sentinel on a node: Pool::serve() and Pool::start() with a redis-sentinel:// backend throw BackendException saying nodes do not follow Sentinel yet (the password shown as ***), and start no pool
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['backend']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.secret=0123456789abcdef0123456789abcdef-node
asynctask.backend="redis-sentinel://:s3cret@127.0.0.1:1/mymaster"
--FILE--
<?php
foreach (['serve' => fn () => AsyncTask\Pool::serve(), 'start' => fn () => AsyncTask\Pool::start(1)] as $name => $fn) {
    try {
        $fn();
        echo "$name: returned\n";
    } catch (AsyncTask\BackendException $e) {
        echo "$name: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(AsyncTask\Pool::stats()['backend'] ?? null);
?>
--EXPECT--
serve: AsyncTask\BackendException: asynctask.backend=redis-sentinel://:***@127.0.0.1:1/mymaster: a node does not follow Redis Sentinel yet (dispatchers do): give this node the master's address (redis://... or unix://...)
start: AsyncTask\BackendException: asynctask.backend=redis-sentinel://:***@127.0.0.1:1/mymaster: a node does not follow Redis Sentinel yet (dispatchers do): give this node the master's address (redis://... or unix://...)
string(5) "redis"
