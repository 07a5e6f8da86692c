--TEST--
Redis connection: refusals are AsyncTask\BackendException at once (not after asynctask.dispatch_timeout) naming the cause: no password (NOAUTH), a wrong password, an unknown ACL user, a user without the permission (NOPERM), a database out of range, a command Redis rejects; the password never appears in a message
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.dispatch_timeout=5
--FILE--
<?php
require __DIR__ . '/redis.inc';
use function AsyncTask\Testing\redisCommand;

$cases = [
    'no password' => [redis_test_url(null, ''), ['PING']],
    'wrong password' => [redis_test_url(null, 'not-the-password'), ['PING']],
    'unknown ACL user' => [redis_test_url('nobody-here', 'whatever-pw'), ['PING']],
    'ACL user, wrong password' => [redis_test_url(redis_test_env('USER'), 'not-the-password'), ['PING']],
    'PING-only ACL user' => [redis_test_url(redis_test_env('PINGER'), redis_test_env('PINGER_PASSWORD')),
        ['XADD', redis_test_key('s'), '*', 'f', 'v']],
    'database 9999 is out of range' => [redis_test_url(null, null, 9999), ['PING']],
    'a command Redis rejects' => [redis_test_url(), ['XADD', redis_test_key('s'), 'not-an-id', 'f', 'v']],
];
foreach ($cases as $label => [$url, $command]) {
    ini_set('asynctask.backend', $url);
    [$out, $seconds] = redis_test_timed(fn () => redisCommand(...$command));
    $out = str_replace([redis_test_env('PORT'), redis_test_env('PINGER_PASSWORD'), redis_test_env('PASSWORD')],
        ['PORT', 'LEAKED', 'LEAKED'], (string) $out);
    echo "$label: ", $seconds < 1 ? 'at once' : "after $seconds s", "\n  $out\n";
}
// the PING-only user may PING
ini_set('asynctask.backend', redis_test_url(redis_test_env('PINGER'), redis_test_env('PINGER_PASSWORD')));
var_dump(redisCommand('PING'));
?>
--EXPECTF--
no password: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused PING: NOAUTH Authentication required. (give user:password in asynctask.backend)
wrong password: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused the credentials of the default user (asynctask.backend): WRONGPASS invalid username-password pair or user is disabled.
unknown ACL user: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused the credentials of ACL user 'nobody-here' (asynctask.backend): WRONGPASS invalid username-password pair or user is disabled.
ACL user, wrong password: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused the credentials of ACL user 'asynctask-test' (asynctask.backend): WRONGPASS invalid username-password pair or user is disabled.
PING-only ACL user: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused XADD: NOPERM %s
database 9999 is out of range: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused SELECT 9999 (the database of asynctask.backend): ERR DB index is out of range
a command Redis rejects: at once
  AsyncTask\BackendException: Redis at 127.0.0.1:PORT refused XADD: ERR Invalid stream ID specified as stream command argument
string(4) "PONG"
