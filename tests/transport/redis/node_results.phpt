--TEST--
Redis node (Pool::start() with a Redis backend): a value, an exception, a time limit and a task nobody waits for, taken from the stream and answered on the reply list as signed RESULT entries (status, 8-byte bound, data); each entry acknowledged and deleted once its result is stored; stats() shows the backend's figures
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('node_results');
$prefix = node_test_setup('results', ['asynctask.node' => 'node-r', 'asynctask.log' => "$dir/log"]);
AsyncTask\Pool::start(2);
$reply = "$prefix:r:test";

function node_fails(string $why): never
{
    throw new DomainException("refused: $why", 42);
}

[$v] = node_test_dispatch($prefix, [], 'str_repeat', 'ab', 3);
[$x] = node_test_dispatch($prefix, [], 'node_fails', 'no reason');
[$t] = node_test_dispatch($prefix, ['timeout_ms' => 300], function () {
    sleep(30);
    return 'never';
});
[$f] = node_test_dispatch($prefix, ['reply' => ''], function (string $dir) {
    file_put_contents("$dir/fire", 'ran');
}, $dir);

$results = node_test_results($reply, 3);
$r = $results[$v];
var_dump($r['status'], $r['value'], $r['node'], $r['attempt'], $r['failed_flag']);
$r = $results[$x];
var_dump($r['status'], $r['error']['class'], $r['error']['message'], $r['failed_flag']);
$r = $results[$t];
var_dump($r['status'], str_contains($r['error']['message'], 'exceeded its time limit of 0.3 s'));

// the task nobody waits for ran, and left no result
var_dump(asynctask_test_wait_for("$dir/fire"), file_get_contents("$dir/fire"));
// every entry acknowledged and deleted (the fire-and-forget one once it ran)
var_dump(node_test_until(fn () => redisCommand('XLEN', "$prefix:q:default") === 0));
var_dump(redisCommand('XPENDING', "$prefix:q:default", 'nodes')[0], redisCommand('LLEN', $reply));
// the reply list expires after result_ttl
var_dump(redisCommand('TTL', $reply) <= 3600);

// the figures are refreshed about once a second
var_dump(node_test_until(function () {
    $s = AsyncTask\Pool::stats();
    return $s['consumers'] === 1 && $s['stream_length'] === 0 && $s['pending'] === 0;
}, 5));
$s = AsyncTask\Pool::stats();
var_dump($s['backend'], $s['backend_connected'], $s['stream_length'], $s['pending'], $s['dead_lettered'], $s['reconnects']);
var_dump($s['completed'], $s['failed'], $s['timed_out']);
AsyncTask\Pool::stop();
?>
--EXPECT--
int(1)
string(6) "ababab"
string(6) "node-r"
int(1)
int(0)
int(2)
string(15) "DomainException"
string(18) "refused: no reason"
int(1)
int(6)
bool(true)
bool(true)
string(3) "ran"
bool(true)
int(0)
int(0)
bool(true)
bool(true)
string(5) "redis"
bool(true)
int(0)
int(0)
int(0)
int(0)
int(2)
int(2)
int(1)
