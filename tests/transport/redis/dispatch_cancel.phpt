--TEST--
Redis Future::cancel(): true while no node has taken the entry (it leaves the stream, so no node ever runs it, and wait() says it was cancelled), also before any node made the group; false once a node took it with XREADGROUP (the node's result still settles it), false after its result came, and after the node acknowledged and deleted it; cancelling twice is false
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use function AsyncTask\Testing\redisCommand;

[$secret, $prefix] = dispatch_test_setup('cancel');
$stream = dispatch_test_stream($prefix);

echo "-- no group yet\n";
$f = AsyncTask\dispatch('strlen', 'first');
var_dump(redisCommand('XLEN', $stream), $f->cancel(), redisCommand('XLEN', $stream), $f->cancel(), $f->isDone());
echo preg_replace('/task [0-9a-f]{32}/', 'task ID', outcome(fn () => $f->wait(1))), "\n";

echo "-- a group, the entry not taken yet\n";
$taken = AsyncTask\dispatch('strlen', 'taken');
node_take($prefix, $secret, 1);                 // takes $taken only
$queued = AsyncTask\dispatch('strlen', 'queued');
var_dump($queued->cancel(), $taken->cancel());
// the node never sees the cancelled one
var_dump(count(node_take($prefix, $secret)));

echo "-- taken: the node's result settles it\n";
$pending = redisCommand('XPENDING', $stream, 'nodes', '-', '+', '10');
var_dump(count($pending));
$task = AsyncTask\Testing\wireDecode(redisCommand('XRANGE', $stream, $pending[0][0], $pending[0][0])[0][1][1], 'task', $secret);
node_return($task, $secret, 5);
var_dump($taken->wait(5), $taken->cancel());

echo "-- acknowledged (still in the stream, then deleted) before its result was pushed\n";
$f = AsyncTask\dispatch('strlen', 'done');
foreach (node_take($prefix, $secret) as $entryId => $task) {
    redisCommand('XACK', $stream, 'nodes', $entryId);
    var_dump($f->cancel());
    redisCommand('XDEL', $stream, $entryId);
    var_dump($f->cancel());
    node_return($task, $secret, 4);
}
var_dump($f->wait(5));

echo "-- counts\n";
$stats = AsyncTask\Pool::stats();
var_dump($stats['dispatched'], $stats['cancelled'], $stats['completed'], $stats['queued']);
?>
--EXPECT--
-- no group yet
int(1)
bool(true)
int(0)
bool(false)
bool(true)
AsyncTask\Exception: task ID was cancelled before it ran
-- a group, the entry not taken yet
bool(true)
bool(false)
int(0)
-- taken: the node's result settles it
int(1)
int(5)
bool(false)
-- acknowledged (still in the stream, then deleted) before its result was pushed
bool(false)
bool(false)
int(4)
-- counts
int(4)
int(2)
int(2)
int(0)
