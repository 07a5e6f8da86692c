--TEST--
Redis wire form: tasks and results round-trip every field (binary payloads up to 1 MB, empty ones); integers are big-endian at their documented offsets whatever the host; an entry is exactly header + fields + 32-byte HMAC; fresh task ids are 128 random bits
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['wire']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
use function AsyncTask\Testing\{wireEncode, wireDecode};

$secret = random_bytes(32);
$task = [
    'kind' => 'task', 'flags' => 0, 'id' => '00112233445566778899aabbccddeeff', 'attempt' => 0x01020304,
    'timeout_ms' => 0x0a0b0c0d, 'dispatched_at_us' => 0x0102030405060708, 'queue' => 'emails',
    'node' => 'web-1.example', 'reply_key' => 'asynctask:r:web-1.example:4242:9f', 'payload' => "bin\0ary\xff",
];
$bytes = wireEncode($task, $secret);
var_dump(strlen($bytes) === 48 + 6 + 13 + 33 + 8 + 32);
var_dump(wireDecode($bytes, 'task', $secret) === $task);

// the fixed header: magic, version, kind, flags, id, then big-endian integers and lengths
echo bin2hex(substr($bytes, 0, 8)), "\n";                 // "ATSK", version 1, kind 1, flags 0
echo bin2hex(substr($bytes, 8, 16)), "\n";                // id
echo bin2hex(substr($bytes, 24, 4)), ' ', bin2hex(substr($bytes, 28, 4)), ' ', bin2hex(substr($bytes, 32, 8)), "\n";
echo bin2hex(substr($bytes, 40, 8)), "\n";                // Q N R P
echo substr($bytes, 48, 6 + 13 + 33), "\n";
// the HMAC is the last 32 bytes, over everything before them
var_dump(substr($bytes, -32) === hash_hmac('sha256', substr($bytes, 0, -32), $secret, true));

// a failed result of a task nobody... waits for: flags, no reply key, the node that ran it
$result = ['kind' => 'result', 'flags' => 1, 'id' => $task['id'], 'attempt' => 2, 'timeout_ms' => 0,
    'dispatched_at_us' => 1, 'queue' => 'q', 'node' => 'node-7', 'reply_key' => '', 'payload' => ''];
var_dump(wireDecode(wireEncode($result, $secret), 'result', $secret) === $result);

// a fire-and-forget task: NO_REPLY and no reply key
$fire = ['kind' => 'task', 'flags' => 1, 'queue' => 'default', 'payload' => 'x'];
$decoded = wireDecode(wireEncode($fire, $secret), 'task', $secret);
var_dump($decoded['flags'], $decoded['reply_key'], $decoded['attempt']);

// a 1 MB binary payload, and the largest payload asynctask.max_payload allows
$big = random_bytes(1 << 20);
$decoded = wireDecode(wireEncode(['kind' => 'task', 'flags' => 1, 'queue' => 'q', 'payload' => $big], $secret), 'task', $secret);
var_dump($decoded['payload'] === $big);
$decoded = wireDecode(wireEncode(['kind' => 'task', 'flags' => 1, 'queue' => 'q', 'payload' => str_repeat('m', 1000)], $secret),
    'task', $secret, 1000);
var_dump(strlen($decoded['payload']));

// ids: 32 hex digits, fresh for every entry
$ids = [];
for ($i = 0; $i < 1000; $i++) {
    $ids[wireDecode(wireEncode($fire, $secret), 'task', $secret)['id']] = true;
}
var_dump(count($ids), (bool) preg_match('/^[0-9a-f]{32}$/', array_key_first($ids)));
?>
--EXPECT--
bool(true)
bool(true)
4154534b01010000
00112233445566778899aabbccddeeff
01020304 0a0b0c0d 0102030405060708
060d002100000008
emailsweb-1.exampleasynctask:r:web-1.example:4242:9f
bool(true)
bool(true)
int(1)
string(0) ""
int(1)
bool(true)
int(1000)
int(1000)
bool(true)
