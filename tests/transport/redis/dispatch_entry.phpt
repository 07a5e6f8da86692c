--TEST--
Redis dispatch(): each dispatch XADDs one signed entry to {prefix}:q:default (field t) that verifies under the secret only: kind task, attempt 1, queue default, node = asynctask.node (or the hostname), the time limit, dispatched-at, the payload dispatch() encodes, no NO_REPLY flag and the process's reply key {prefix}:r:{32 hex digits} on every task; Future::id() is the entry's id; no local pool starts
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.node=web-7
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use function AsyncTask\Testing\{redisCommand, wireDecode, encode};

[$secret, $prefix] = dispatch_test_setup('entry');
$stream = dispatch_test_stream($prefix);

$before = (int) (microtime(true) * 1e6);
$futures = [
    AsyncTask\dispatch('strtoupper', 'abc'),
    (new AsyncTask\Task('str_repeat', 'x', 3))->withTimeout(1.5)->dispatch(),
];
ini_set('asynctask.task_timeout', '2');
ini_set('asynctask.node', '');
$futures[] = AsyncTask\dispatch('strrev', 'abc');
$after = (int) (microtime(true) * 1e6);

$entries = redisCommand('XRANGE', $stream, '-', '+');
var_dump(count($entries), redisCommand('XLEN', $stream));
$payloads = [encode('strtoupper', 'abc'), encode('str_repeat', 'x', 3), encode('strrev', 'abc')];
$replyKeys = [];
foreach ($entries as $i => [$entryId, $fields]) {
    $t = wireDecode($fields[1], 'task', $secret);
    echo "$i: field {$fields[0]}, kind {$t['kind']}, flags {$t['flags']}, attempt {$t['attempt']}, queue {$t['queue']}, ",
        "time limit {$t['timeout_ms']} ms, node ", $t['node'] === gethostname() ? 'the hostname' : $t['node'], "\n";
    var_dump($t['id'] === $futures[$i]->id(), $t['payload'] === $payloads[$i],
        $t['dispatched_at_us'] >= $before && $t['dispatched_at_us'] <= $after);
    $replyKeys[$t['reply_key']] = true;
}
// one reply key for the process, named as protocol.h says
var_dump(count($replyKeys), (bool) preg_match('/^' . preg_quote($prefix, '/') . ':r:[0-9a-f]{32}$/', array_key_first($replyKeys)));
// ids: 32 hex digits, all different
var_dump((bool) preg_match('/^[0-9a-f]{32}$/', $futures[0]->id()), count(array_unique(array_map(fn ($f) => $f->id(), $futures))));

// another secret cannot read it
echo outcome(fn () => wireDecode($entries[0][1][1], 'task', random_bytes(32))), "\n";

// nothing ran here: no pool, and the Futures wait
$stats = AsyncTask\Pool::stats();
var_dump($stats['backend'], $stats['workers'], $stats['dispatched'], $stats['queued'], $futures[0]->isDone());
?>
--EXPECTF--
int(3)
int(3)
0: field t, kind task, flags 0, attempt 1, queue default, time limit 0 ms, node web-7
bool(true)
bool(true)
bool(true)
1: field t, kind task, flags 0, attempt 1, queue default, time limit 1500 ms, node web-7
bool(true)
bool(true)
bool(true)
2: field t, kind task, flags 0, attempt 1, queue default, time limit 2000 ms, node the hostname
bool(true)
bool(true)
bool(true)
int(1)
bool(true)
bool(true)
int(3)
AsyncTask\Exception: %s
string(5) "redis"
int(0)
int(3)
int(3)
bool(false)
