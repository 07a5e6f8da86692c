--TEST--
Redis node: entries that do not verify never run and are never decoded: unsigned bytes, an entry signed with another secret, a validly signed entry with one payload byte changed, a result passed off as a task, an entry without its "t" field; each goes to {prefix}:dead with its error, the node, its attempts, its stream and id (the bytes as they came), is acknowledged and deleted, and is logged; no result reaches any reply list; a good task after them runs
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\{wireEncode, redisCommand, encode};

$dir = asynctask_test_dir('node_forged');
$prefix = node_test_setup('forged', ['asynctask.node' => 'node-f', 'asynctask.log' => "$dir/log"]);
$stream = "$prefix:q:default";
$reply = "$prefix:r:test";

// each would leave a file behind if it ran
$mark = function (string $path) {
    file_put_contents($path, 'ran');
    return 'ran';
};
$task = fn (string $secret, string $name) => wireEncode(['kind' => 'task', 'queue' => 'default', 'reply_key' => $reply,
    'payload' => encode($mark, "$dir/$name")], $secret);

$entries = [];
$entries['unsigned'] = substr($task(node_test_key($prefix), 'unsigned'), 0, -32) . str_repeat("\0", 32);
$entries['wrong secret'] = $task(node_test_key($prefix, 'another-secret-of-at-least-32-bytes-xxxxxxx'), 'wrong');
$good = $task(node_test_key($prefix), 'modified');
$entries['modified'] = substr_replace($good, chr(ord($good[60]) ^ 1), 60, 1);
$entries['a result'] = wireEncode(['kind' => 'result', 'queue' => 'default', 'payload' => "\1" . str_repeat("\0", 8)],
    node_test_key($prefix));
$ids = [];
foreach ($entries as $name => $bytes) {
    $ids[$name] = redisCommand('XADD', $stream, '*', 't', $bytes);
}
$ids['no t field'] = redisCommand('XADD', $stream, '*', 'x', $good);

AsyncTask\Pool::start(2);
[$ok] = node_test_dispatch($prefix, [], $mark, "$dir/good");
$r = node_test_result($reply);
var_dump($r['id'] === $ok, $r['value']);

var_dump(node_test_until(fn () => count(node_test_dead($prefix)) === 5));
$dead = node_test_dead($prefix);
foreach ($dead as $fields) {
    $name = array_search($fields['id'], $ids, true);
    echo "$name: ", $fields['error'], "\n";
    var_dump($fields['node'], $fields['attempts'], $fields['stream'] === $stream,
        $fields['t'] === ($entries[$name] ?? ''));
}
// none ran, none answered, none left in the stream or pending
var_dump(glob("$dir/{unsigned,wrong,modified}", GLOB_BRACE), redisCommand('LLEN', $reply));
var_dump(redisCommand('XLEN', $stream), redisCommand('XPENDING', $stream, 'nodes')[0]);
var_dump(node_test_until(fn () => AsyncTask\Pool::stats()['dead_lettered'] === 5, 5));
AsyncTask\Pool::stop();
echo substr_count(file_get_contents("$dir/log"), 'dead-lettered, never run'), " log lines\n";
?>
--EXPECTF--
bool(true)
string(3) "ran"
bool(true)
unsigned: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
string(6) "node-f"
string(1) "1"
bool(true)
bool(true)
wrong secret: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
string(6) "node-f"
string(1) "1"
bool(true)
bool(true)
modified: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
string(6) "node-f"
string(1) "1"
bool(true)
bool(true)
a result: %s
string(6) "node-f"
string(1) "1"
bool(true)
bool(true)
no t field: the entry has no "t" field
string(6) "node-f"
string(1) "1"
bool(true)
bool(true)
array(0) {
}
int(0)
int(0)
int(0)
bool(true)
5 log lines
