--TEST--
Redis node: a task larger than the node's ring (asynctask.queue_size=64K) travels to its worker in a spill file, and a large result comes back to the manager in one (with its decoded-size bound in the RESULT entry's header); the value arrives intact
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.queue_size=64K
--FILE--
<?php
require __DIR__ . '/node.inc';

$dir = asynctask_test_dir('node_large');
$prefix = node_test_setup('large', ['asynctask.log' => "$dir/log"]);
AsyncTask\Pool::start(1);
$big = '';
for ($i = 0; $i < 20000; $i++) {
    $big .= sprintf('%015d.', $i);   // 320,000 bytes
}
[$id] = node_test_dispatch($prefix, [], function (string $s) {
    return [strlen($s), strrev($s)];
}, $big);
$r = node_test_result("$prefix:r:test");
var_dump($r['id'] === $id, $r['status'], $r['value'][0], $r['value'][1] === strrev($big), $r['bound'] > 320000);
$s = AsyncTask\Pool::stats();
var_dump($s['queue_bytes_total'], $s['completed']);
AsyncTask\Pool::stop();
?>
--EXPECT--
bool(true)
int(1)
int(320000)
bool(true)
bool(true)
int(65536)
int(1)
