--TEST--
Redis node: the dead stream {prefix}:dead does not grow without bound: with 12,000 old entries in it, a node's next dead letter trims it to about its newest 10,000 (XADD MAXLEN ~ 10000: at least 10,000 and less than 10,000 plus one macro node of 100), the oldest dropped, the new dead letter last
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('node_dead_trim');
$prefix = node_test_setup('dead-trim', ['asynctask.node' => 'node-d', 'asynctask.log' => "$dir/log"]);
$dead = "$prefix:dead";

// 12,000 dead letters of earlier days (one script: one round trip)
redisCommand('EVAL', "for i = 1, 12000 do redis.call('XADD', KEYS[1], '*', 'old', i) end return 1", '1', $dead);
var_dump(redisCommand('XLEN', $dead));

// an entry that does not verify: the node dead-letters it
$id = redisCommand('XADD', "$prefix:q:default", '*', 't', str_repeat('x', 100));
AsyncTask\Pool::start(1);
var_dump(node_test_until(function () use ($dead, $id) {
    $last = redisCommand('XREVRANGE', $dead, '+', '-', 'COUNT', '1');
    return $last && in_array($id, $last[0][1], true);
}));
$length = redisCommand('XLEN', $dead);
var_dump($length >= 10000 && $length < 10100 + 1);
// the oldest went, the newest stayed
[[, $first]] = redisCommand('XRANGE', $dead, '-', '+', 'COUNT', '1');
var_dump($first[0] === 'old' && (int) $first[1] > 1900 && (int) $first[1] <= 2001);
AsyncTask\Pool::stop();
asynctask_test_rmdir($dir);
?>
--EXPECT--
int(12000)
bool(true)
bool(true)
bool(true)
