--TEST--
Redis connection: redis:// with the default user's password and unix:// both reach the server; one connection per process, reused from call to call and replaced when asynctask.backend changes; /db selects the database; a signed entry goes through XADD/XRANGE byte for byte and decodes
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/redis.inc';
use function AsyncTask\Testing\{redisCommand, wireEncode, wireDecode};

ini_set('asynctask.backend', redis_test_url());
var_dump(redisCommand('PING'));
$id = redisCommand('CLIENT', 'ID');
var_dump(is_int($id), redisCommand('CLIENT', 'ID') === $id);       // the same connection

// a signed task through a real stream, binary payload included
$secret = random_bytes(32);
$stream = redis_test_key('stream');
$bytes = wireEncode(['kind' => 'task', 'queue' => 'default', 'node' => 'web-1', 'reply_key' => redis_test_key('reply'),
    'payload' => random_bytes(300) . "\0end"], $secret);
$entryId = redisCommand('XADD', $stream, '*', 'e', $bytes);
var_dump((bool) preg_match('/^\d+-\d+$/', $entryId));
[[$readId, [$field, $stored]]] = redisCommand('XRANGE', $stream, '-', '+');
var_dump($readId === $entryId, $field, $stored === $bytes, wireDecode($stored, 'task', $secret)['node']);
var_dump(redisCommand('DEL', $stream));

// another URL: another connection (the unix socket), then a database other than 0
ini_set('asynctask.backend', redis_test_unix_url());
var_dump(redisCommand('PING'), redisCommand('CLIENT', 'ID') !== $id);
ini_set('asynctask.backend', redis_test_url(null, null, 3));
preg_match('/\bdb=(\d+)/', redisCommand('CLIENT', 'INFO'), $m);
var_dump($m[1]);
// the ACL user of the URL
ini_set('asynctask.backend', redis_test_url(redis_test_env('USER'), redis_test_env('USER_PASSWORD')));
var_dump(redisCommand('ACL', 'WHOAMI'));
?>
--EXPECT--
string(4) "PONG"
bool(true)
bool(true)
bool(true)
bool(true)
string(1) "e"
bool(true)
string(5) "web-1"
int(1)
string(4) "PONG"
bool(true)
string(1) "3"
string(14) "asynctask-test"
