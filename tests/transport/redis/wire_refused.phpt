--TEST--
Redis wire form: refused before anything is decoded when any byte is altered, the secret differs, the entry is truncated, padded or larger than asynctask.max_payload allows, or a valid signature comes with a different body; signed entries whose fields are wrong (version, kind, lengths, flags) are refused too, and encode refuses what decode would
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['wire']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use function AsyncTask\Testing\{wireEncode, wireDecode, hmacSha256};

$secret = str_repeat('s', 40);
function refusal(string $bytes, string $kind = 'task', ?string $secret = null, ?int $max = null): string
{
    try {
        wireDecode($bytes, $kind, $secret ?? $GLOBALS['secret'], $max);
        return 'DECODED';
    } catch (AsyncTask\Exception $e) {
        return get_class($e) . ': ' . $e->getMessage();
    }
}
$entry = ['kind' => 'task', 'queue' => 'default', 'node' => 'web-1', 'reply_key' => 'asynctask:r:web-1:1',
    'payload' => 'O:8:"stdClass":0:{}', 'attempt' => 1, 'timeout_ms' => 2500, 'dispatched_at_us' => 1733450000000000];
$bytes = wireEncode($entry, $secret);
$len = strlen($bytes);

// every byte, every bit: altered anywhere (header, fields, payload, the MAC itself) -> refused by the MAC
$refused = $other = 0;
for ($i = 0; $i < $len; $i++) {
    for ($bit = 0; $bit < 8; $bit++) {
        $altered = $bytes;
        $altered[$i] = chr(ord($altered[$i]) ^ (1 << $bit));
        str_contains(refusal($altered), 'HMAC-SHA256 does not match') ? $refused++ : $other++;
    }
}
echo "altered: $refused of ", 8 * $len, " refused by the HMAC, $other otherwise\n";

// the wrong secret, one byte off
echo refusal($bytes, 'task', substr($secret, 0, -1) . 't'), "\n";

// truncated at every length, padded by a byte
$sizes = 0;
$hmac = 0;
for ($n = 0; $n < $len; $n++) {
    $why = refusal(substr($bytes, 0, $n));
    $sizes += str_contains($why, 'truncated');
    $hmac += str_contains($why, 'HMAC-SHA256 does not match');
}
echo "truncated: $sizes refused for their size, $hmac by the HMAC, of $len\n";
echo refusal($bytes . "\0"), "\n";

// larger than max_payload allows: refused for its size before the MAC is even computed
$big = wireEncode(['kind' => 'task', 'flags' => 1, 'queue' => 'q', 'payload' => str_repeat('x', 5000)], $secret);
echo refusal($big, 'task', null, 3000), "\n";

// a valid signature, over another body: the MAC of one entry on the body of another
$other = wireEncode(['payload' => 'O:8:"stdClass":1:{s:1:"x";i:1;}'] + $entry, $secret);
echo refusal(substr($other, 0, -32) . substr($bytes, -32)), "\n";
// the same body signed under another secret
echo refusal(substr($bytes, 0, -32) . hmacSha256(str_repeat('o', 40), substr($bytes, 0, -32))), "\n";

// correctly signed, but a task where a result is expected (and the reverse)
echo refusal($bytes, 'result'), "\n";
echo refusal(wireEncode(['kind' => 'result', 'queue' => 'q'], $secret), 'task'), "\n";

// correctly signed by someone with the secret, fields wrong: checked after the MAC
function signed(string $body): string
{
    return $body . hmacSha256($GLOBALS['secret'], $body);
}
$body = substr($bytes, 0, -32);
echo refusal(signed('XTSK' . substr($body, 4))), "\n";
echo refusal(signed(substr($body, 0, 4) . "\x02" . substr($body, 5))), "\n";
echo refusal(signed(substr($body, 0, 44) . pack('N', 20) . substr($body, 48))), "\n";   // payload length off
echo refusal(signed(substr($body, 0, 6) . "\x00\x08" . substr($body, 8))), "\n";        // an unknown flag (RETRY 2 and CHAIN 4 are known)
echo refusal(signed(substr($body, 0, 24) . pack('N', 0) . substr($body, 28))), "\n";    // attempt 0

// what encode refuses
foreach ([
    ['kind' => 'task', 'queue' => '', 'reply_key' => 'r'],
    ['kind' => 'task', 'queue' => str_repeat('q', 256), 'reply_key' => 'r'],
    ['kind' => 'task', 'queue' => 'q'],
    ['kind' => 'task', 'flags' => 1, 'queue' => 'q', 'reply_key' => 'r'],
    ['kind' => 'result', 'queue' => 'q', 'reply_key' => 'r'],
    ['kind' => 'task', 'queue' => 'q', 'reply_key' => str_repeat('r', 1025)],
    ['kind' => 'job', 'queue' => 'q'],
] as $fields) {
    try {
        wireEncode($fields, $secret);
        echo "ENCODED\n";
    } catch (AsyncTask\Exception $e) {
        echo $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
altered: 1040 of 1040 refused by the HMAC, 0 otherwise
AsyncTask\Exception: refused a 130-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
truncated: 81 refused for their size, 49 by the HMAC, of 130
AsyncTask\Exception: refused a 131-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
AsyncTask\Exception: refused a 5081-byte entry: larger than any entry asynctask.max_payload (3000 bytes) allows
AsyncTask\Exception: refused a 142-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
AsyncTask\Exception: refused a 130-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
AsyncTask\Exception: refused a signed task entry where a result was expected
AsyncTask\Exception: refused a signed result entry where a task was expected
AsyncTask\Exception: refused a signed entry: it does not start with "ATSK"
AsyncTask\Exception: refused a signed entry of wire version 2: this build reads version 1 (nodes and dispatchers must run compatible asynctask releases)
AsyncTask\Exception: refused a signed entry: its field lengths do not add up to its 130 bytes
AsyncTask\Exception: refused a signed task entry: it has flags this version does not know
AsyncTask\Exception: refused a signed task entry: the attempt is 0 (the first delivery is 1)
cannot encode this task entry: the queue name is empty or longer than 255 bytes
cannot encode this task entry: the queue name is empty or longer than 255 bytes
cannot encode this task entry: a task someone waits for has no reply key
cannot encode this task entry: a result, or a task nobody waits for, carries a reply key
cannot encode this result entry: a result, or a task nobody waits for, carries a reply key
cannot encode this task entry: the reply key is longer than 1024 bytes
cannot encode this unknown entry: the kind is neither task nor result
