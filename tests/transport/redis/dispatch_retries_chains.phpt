--TEST--
Redis dispatch of Task::withRetries() and then() (wire.h): the entry's signed flags say RETRY (2) and CHAIN (4), its signed payload begins with the retry plan (codec/retry.h: magic, times, kind, seconds, little-endian) and then the chain block (codec/chain.h: link 1 of N, no previous value, the links after it with their time limits, priorities and plans); one byte changed anywhere in the plan or block fails the HMAC
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use AsyncTask\Task;
use function AsyncTask\Testing\{redisCommand, wireDecode};

[$secret, $prefix] = dispatch_test_setup('retrychain');
$q = "$prefix:q:default";
function last(string $q, string $secret): array
{
    $e = redisCommand('XREVRANGE', $q, '+', '-', 'COUNT', '1');
    return [$e[0][1][1], wireDecode($e[0][1][1], 'task', $secret)];
}

echo "-- retries\n";
(new Task('strlen', 'x'))->withRetries(3, [0.5, 2])->dispatch();
[$raw, $t] = last($q, $secret);
$p = $t['payload'];
var_dump($t['flags'], substr($p, 0, 4) === "\xA7ATR", unpack('V3', substr($p, 4, 12)), unpack('e2', substr($p, 16, 16)));

echo "-- exponential\n";
(new Task('strlen', 'x'))->withRetries(2, 0.25)->dispatch();
[, $t] = last($q, $secret);
var_dump($t['flags'], unpack('V3', substr($t['payload'], 4, 12)), unpack('e', substr($t['payload'], 16, 8))[1]);

echo "-- a chain\n";
(new Task('strlen', 'x'))->then((new Task('strrev'))->withTimeout(2)->withPriority(Task::HIGH)->withRetries(1))->then('abs')->dispatch();
[, $t] = last($q, $secret);
$p = $t['payload'];
var_dump($t['flags'], substr($p, 0, 4) === "\xA7ATK", unpack('Vlink/Vlinks/Vprevious/Vremaining', substr($p, 4, 16)));
var_dump(unpack('Vtimeout_ms/lpriority/Vplan', substr($p, 20, 12)), substr($p, 32, 4) === "\xA7ATR");

echo "-- both\n";
(new Task('strlen', 'x'))->withRetries(1)->then('strrev')->dispatch();
[$raw, $t] = last($q, $secret);
$p = $t['payload'];
var_dump($t['flags'], substr($p, 0, 4) === "\xA7ATR", substr($p, 24, 4) === "\xA7ATK");

echo "-- signed\n";
$at = strpos($raw, "\xA7ATR");
$refused = 0;
for ($i = $at; $i < $at + 60; $i++) {
    $bad = $raw;
    $bad[$i] = chr(ord($bad[$i]) ^ 1);
    try {
        wireDecode($bad, 'task', $secret);
    } catch (AsyncTask\Exception $e) {
        $refused += str_contains($e->getMessage(), 'HMAC');
    }
}
var_dump($refused);
?>
--EXPECT--
-- retries
int(2)
bool(true)
array(3) {
  [1]=>
  int(3)
  [2]=>
  int(1)
  [3]=>
  int(2)
}
array(2) {
  [1]=>
  float(0.5)
  [2]=>
  float(2)
}
-- exponential
int(2)
array(3) {
  [1]=>
  int(2)
  [2]=>
  int(0)
  [3]=>
  int(1)
}
float(0.25)
-- a chain
int(4)
bool(true)
array(4) {
  ["link"]=>
  int(1)
  ["links"]=>
  int(3)
  ["previous"]=>
  int(4294967295)
  ["remaining"]=>
  int(2)
}
array(3) {
  ["timeout_ms"]=>
  int(2000)
  ["priority"]=>
  int(1)
  ["plan"]=>
  int(24)
}
bool(true)
-- both
int(6)
bool(true)
bool(true)
-- signed
int(60)
