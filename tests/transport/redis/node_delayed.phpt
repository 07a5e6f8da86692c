--TEST--
Redis node's move step (protocol.h), with the dispatcher played by hand: members of {prefix}:delayed:default whose score (Redis' TIME, ms) has come are moved into their level's stream (h: :high, n: the queue's stream, l: :low) with their signed bytes unchanged, run, and leave the set and its hash, each with a moved key naming its entry; a member due in the future stays until its time (never early by Redis' clock); a member whose task is missing from the hash is dropped; stats() counts what was moved and what waits
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\{redisCommand, wireEncode, encode};

$dir = asynctask_test_dir('node_delayed');
$prefix = node_test_setup('delayed', ['asynctask.node' => 'node-d', 'asynctask.log' => "$dir/log"]);
$set = "$prefix:delayed:default";
$reply = "$prefix:r:test";

function redis_ms(): int
{
    $t = redisCommand('TIME');
    return (int) $t[0] * 1000 + intdiv((int) $t[1], 1000);
}

/** Puts a signed task in the delayed set as the delay step does; returns its wire id. */
function delay_by_hand(string $prefix, string $level, int $due_ms, callable $fn, mixed ...$args): string
{
    $id = bin2hex(random_bytes(16));
    $bytes = wireEncode([
        'kind' => 'task', 'id' => $id, 'flags' => 0, 'queue' => 'default', 'node' => 'dispatcher',
        'reply_key' => "$prefix:r:test", 'payload' => encode($fn, ...$args), 'timeout_ms' => 0,
        'dispatched_at_us' => (int) (microtime(true) * 1e6),
    ], node_test_key($prefix));
    redisCommand('HSET', "$prefix:delayed:default:t", "$level:$id", $bytes);
    redisCommand('ZADD', "$prefix:delayed:default", (string) $due_ms, "$level:$id");
    return $id;
}

$now = redis_ms();
$ran = fn (string $what) => [$what, AsyncTask\context()->attempt(), (int) (microtime(true) * 1000)];
$past = delay_by_hand($prefix, 'h', $now - 5000, $ran, 'past high');
$low = delay_by_hand($prefix, 'l', $now - 1, $ran, 'past low');
// far enough ahead that starting the node and running the two due ones cannot pass it (valgrind, ASan)
$due = $now + (getenv('USE_ZEND_ALLOC') === '0' ? 4000 : 1500);   // under 5 s: node_test_result()'s BLPOP reads within asynctask.dispatch_timeout
$future = delay_by_hand($prefix, 'n', $due, $ran, 'future');
redisCommand('ZADD', $set, (string) ($now - 10), 'n:' . str_repeat('0', 32));   // no task in the hash

AsyncTask\Pool::start(2);
$results = node_test_results($reply, 2, 20);
foreach ([$past, $low] as $id) {
    echo json_encode($results[$id]['value'] ?? 'no result'), "\n";
}
// the future one waits: in the set still, its bytes in the hash
var_dump(redisCommand('ZSCORE', $set, "n:$future") !== null, redisCommand('HEXISTS', "$set:t", "n:$future"));
$r = node_test_result($reply, 20);
var_dump($r['id'] === $future, $r['value'][0], $r['value'][2] >= $due);
var_dump(redisCommand('ZCARD', $set), redisCommand('HLEN', "$set:t"));
// one moved key per moved member, naming an entry id; none for the dropped one
$moved = redisCommand('KEYS', "$set:moved:*");
sort($moved);
var_dump(count($moved), (bool) preg_match('/^\d+-\d+$/', redisCommand('GET', "$set:moved:h:$past")),
    redisCommand('PTTL', "$set:moved:h:$past") > 0);
var_dump(node_test_until(fn () => AsyncTask\Pool::stats()['moved'] === 3 && AsyncTask\Pool::stats()['delayed'] === 0, 5));
var_dump(redisCommand('XLEN', "$prefix:q:default:high"), redisCommand('XLEN', "$prefix:q:default:low"),
    redisCommand('XLEN', "$prefix:dead"));
AsyncTask\Pool::stop();
?>
--EXPECTF--
["past high",1,%d]
["past low",1,%d]
bool(true)
int(1)
bool(true)
string(6) "future"
bool(true)
int(0)
int(0)
int(3)
bool(true)
bool(true)
bool(true)
int(0)
int(0)
int(0)
