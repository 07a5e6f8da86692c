--TEST--
AsyncTask\context(): null outside a task; inside a task of this machine's pool its id is the Future's id(), attempt 1, queue "default", node asynctask.node, dispatchedAt the dispatch time; inside a Redis task (a node) its id is the entry's wire id in 32 hex digits, its attempt the entry's delivery count, its queue and dispatch time the entry's; TaskContext cannot be made from PHP
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.node=ctx-node
--FILE--
<?php
require __DIR__ . '/node.inc';

$describe = function () {
    $c = AsyncTask\context();
    return [get_class($c), $c->id(), $c->attempt(), $c->queue(), $c->node(), $c->dispatchedAt()];
};

var_dump(AsyncTask\context());

// this machine's pool
$before = microtime(true);
$f = AsyncTask\dispatch($describe);
[$class, $id, $attempt, $queue, $node, $at] = $f->wait();
var_dump($class, $id === $f->id(), $attempt, $queue, $node, $at >= $before - 0.001 && $at <= microtime(true));
$ids = AsyncTask\map(fn () => AsyncTask\context()->id(), range(1, 5));
var_dump(count(array_unique($ids)));
AsyncTask\Pool::stop();
var_dump(AsyncTask\context());

// a node of the Redis backend
$dir = asynctask_test_dir('node_context');
$prefix = node_test_setup('context', ['asynctask.log' => "$dir/log"]);
AsyncTask\Pool::start(1);
[$wire] = node_test_dispatch($prefix, ['dispatched_at_us' => 1700000000123456], $describe);
$r = node_test_result("$prefix:r:test");
[$class, $id, $attempt, $queue, $node, $at] = $r['value'];
var_dump($class, $id === $wire, $attempt, $queue, $node, $at);
AsyncTask\Pool::stop();

try {
    $c = new ReflectionClass(AsyncTask\TaskContext::class);
    var_dump($c->isFinal(), $c->getConstructor()->isPrivate());
    $c->newInstanceWithoutConstructor();
} catch (Throwable $e) {
    echo get_class($e), "\n";
}
?>
--EXPECT--
NULL
string(21) "AsyncTask\TaskContext"
bool(true)
int(1)
string(7) "default"
string(8) "ctx-node"
bool(true)
int(5)
NULL
string(21) "AsyncTask\TaskContext"
bool(true)
int(1)
string(7) "default"
string(8) "ctx-node"
float(1700000000.123456)
bool(true)
bool(true)
ReflectionException
