--TEST--
A node of the Redis backend serves the queue "default" only: asynctask.queues naming another queue is refused at Pool::start() with "not supported yet" (nothing starts); "default:N" sets its workers; onQueue() with another queue is refused at dispatch()
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/node.inc';

$prefix = node_test_setup('queues');
ini_set('asynctask.queues', 'default:1,mail:1');
try {
    AsyncTask\Pool::start();
} catch (AsyncTask\Exception $e) {
    echo $e->getMessage(), "\n";
}
var_dump(AsyncTask\Pool::stats()['manager_pid'] ?? 0);

ini_set('asynctask.queues', 'default:2');
AsyncTask\Pool::start();
$s = AsyncTask\Pool::stats();
var_dump($s['workers'], array_keys($s['queues']));
[$wire] = node_test_dispatch($prefix, [], fn () => AsyncTask\context()->queue());
var_dump(node_test_result("$prefix:r:test")['value']);
AsyncTask\Pool::stop();

try {
    (new AsyncTask\Task('strlen', 'x'))->onQueue('mail')->dispatch();
} catch (AsyncTask\Exception $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
not supported yet: named queues (asynctask.queues "default:1,mail:1") on a node of the Redis backend (asynctask.backend): a node serves the queue "default" only
int(0)
int(2)
array(1) {
  [0]=>
  string(7) "default"
}
string(7) "default"
not supported yet: named queues (Task::onQueue() with a queue other than "default") with the Redis backend (asynctask.backend)
