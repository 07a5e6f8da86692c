--TEST--
Payload byte order: the compact encoding, the closure form's header and a failure report write every length, integer and double little-endian whatever the host (pinned bytes), and read hand-written little-endian bytes; the big-endian form of the same numbers is never read as them
--DESCRIPTION--
Payloads cross machines inside the Redis backend's entries (src/codec/byteorder.h):
every expected byte string below is written out by hand in little-endian
order, so a build on a big-endian host that sent its own byte order would
fail here instead of sending it.
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['wire']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.workers=1
asynctask.serializer=php
pcre.jit=0
--FILE--
<?php
use AsyncTask\Testing;

function hexbytes(string $spaced): string
{
    return hex2bin(str_replace(' ', '', $spaced));
}

echo "-- the compact encoding (F5, then a tag and little-endian numbers)\n";
$cases = [
    'int 1'            => [1, 'f5 49 01 00 00 00 00 00 00 00'],
    'int -2'           => [-2, 'f5 49 fe ff ff ff ff ff ff ff'],
    'int 0x0102..08'   => [0x0102030405060708, 'f5 49 08 07 06 05 04 03 02 01'],
    'PHP_INT_MIN'      => [PHP_INT_MIN, 'f5 49 00 00 00 00 00 00 00 80'],
    'float 1.5'        => [1.5, 'f5 44 00 00 00 00 00 00 f8 3f'],
    'float 0.1'        => [0.1, 'f5 44 9a 99 99 99 99 99 b9 3f'],
    'float -0.0'       => [-0.0, 'f5 44 00 00 00 00 00 00 00 80'],
    'INF'              => [INF, 'f5 44 00 00 00 00 00 00 f0 7f'],
    'string "ab"'      => ['ab', 'f5 53 02 00 00 00 61 62'],
    'string of 258'    => [str_repeat('x', 258), 'f5 53 02 01 00 00' . str_repeat(' 78', 258)],
    'empty array'      => [[], 'f5 41 00 00 00 00'],
    'list'             => [[true, false, null],
        'f5 41 03 00 00 00  69 00 00 00 00 00 00 00 00 54  69 01 00 00 00 00 00 00 00 46  69 02 00 00 00 00 00 00 00 4e'],
    'keys'             => [[7 => 'x', 'k' => 2.5, -1 => 1],
        'f5 41 03 00 00 00  69 07 00 00 00 00 00 00 00 53 01 00 00 00 78  73 01 00 00 00 6b 44 00 00 00 00 00 00 04 40'
        . '  69 ff ff ff ff ff ff ff ff 49 01 00 00 00 00 00 00 00'],
];
foreach ($cases as $name => [$value, $spaced]) {
    $expected = hexbytes($spaced);
    $encoded = Testing\encodeValue($value);
    $decoded = Testing\decodeValue($expected);
    $same = $decoded === $value && Testing\encodeValue($decoded) === $expected;   // -0.0 keeps its sign bit
    printf("%-15s encode %s, decode %s\n", $name, $encoded === $expected ? 'ok' : 'GOT ' . bin2hex($encoded),
        $same ? 'ok' : 'GOT ' . var_export($decoded, true));
}

echo "-- the big-endian form is not read as the same number\n";
var_dump(Testing\decodeValue(hexbytes('f5 49 00 00 00 00 00 00 00 2a')) === 42);
var_dump(Testing\decodeValue(hexbytes('f5 49 2a 00 00 00 00 00 00 00')) === 42);
try {
    Testing\decodeValue(hexbytes('f5 53 00 00 00 02 61 62'));   // "ab" with a big-endian length
} catch (AsyncTask\SerializationException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

echo "-- the closure form: \"\\xA7AT2\", the code reference's length (u32 LE), the code reference, the values\n";
$k = 3;
$triple = static fn (int $x) => $x * $k;
$payload = Testing\encode($triple, 14);
echo bin2hex(substr($payload, 0, 4)), "\n";
$len = ord($payload[4]) | ord($payload[5]) << 8 | ord($payload[6]) << 16 | ord($payload[7]) << 24;
$code = substr($payload, 8, $len);
// read least significant byte first, the length spans the code reference exactly: a whole PHP
// serialization (which re-serializes to the same bytes), followed by the compact values
var_dump($len > 100 && $len < 65536, serialize(unserialize($code)) === $code, $payload[8 + $len] === "\xF5");
var_dump(unserialize($code)['kind']);
$values = substr($payload, 8 + $len);
var_dump(Testing\decodeValue($values)[4]);   // the arguments

// a payload framed by hand, least significant byte first, runs
$le = chr($len & 0xff) . chr($len >> 8 & 0xff) . chr($len >> 16 & 0xff) . chr($len >> 24 & 0xff);
var_dump(Testing\dispatchPayload("\xA7AT2" . $le . $code . $values)->wait());
// the same length big-endian is refused, never read as some other split of the bytes
try {
    Testing\dispatchPayload("\xA7AT2" . strrev($le) . $code . $values)->wait();
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

echo "-- a failure report: u32 LE lengths (ffffffff: absent), then code and line as int64 LE\n";
$report = [
    'class' => 'RuntimeException', 'message' => 'boom', 'file' => null, 'trace' => '',
    'code' => 0x01020304, 'line' => -1,
];
$expected = hexbytes('10 00 00 00' . bin2hex('RuntimeException') . ' 04 00 00 00' . bin2hex('boom') . ' ff ff ff ff'
    . ' 00 00 00 00  04 03 02 01 00 00 00 00  ff ff ff ff ff ff ff ff');
$encoded = Testing\encodeError($report);
echo $encoded === $expected ? "encode ok\n" : 'encode GOT ' . bin2hex($encoded) . "\n";
var_dump(Testing\decodeError($expected) === $report);
// big-endian lengths do not decode
var_dump(Testing\decodeError(hexbytes('00 00 00 10') . substr($expected, 4)));
?>
--EXPECTF--
-- the compact encoding (F5, then a tag and little-endian numbers)
int 1           encode ok, decode ok
int -2          encode ok, decode ok
int 0x0102..08  encode ok, decode ok
PHP_INT_MIN     encode ok, decode ok
float 1.5       encode ok, decode ok
float 0.1       encode ok, decode ok
float -0.0      encode ok, decode ok
INF             encode ok, decode ok
string "ab"     encode ok, decode ok
string of 258   encode ok, decode ok
empty array     encode ok, decode ok
list            encode ok, decode ok
keys            encode ok, decode ok
-- the big-endian form is not read as the same number
bool(false)
bool(true)
AsyncTask\SerializationException: a received value is corrupt: its compact encoding (8 bytes) does not decode
-- the closure form: "\xA7AT2", the code reference's length (u32 LE), the code reference, the values
a7415432
bool(true)
bool(true)
bool(true)
string(7) "closure"
array(1) {
  [0]=>
  int(14)
}
int(42)
AsyncTask\TaskFailedException: %Sthe task payload is corrupt: its code reference is cut short%S
-- a failure report: u32 LE lengths (ffffffff: absent), then code and line as int64 LE
encode ok
bool(true)
NULL
