--TEST--
Redis connection: a Redis that nobody answers for (a closed loopback port, a missing unix socket) is retried until asynctask.dispatch_timeout, then AsyncTask\BackendException with the system's error and the attempts; no hang, not much longer than the timeout; dispatch_timeout=0 tries once
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.dispatch_timeout=1
--FILE--
<?php
require __DIR__ . '/redis.inc';
use function AsyncTask\Testing\redisCommand;

$port = redis_test_free_port();
$dir = asynctask_test_dir('conn_down');
foreach (["redis://127.0.0.1:$port" => 1.0, "unix://$dir/no-such.sock" => 1.0, "redis://127.0.0.1:$port/1" => 0.0] as $url => $timeout) {
    ini_set('asynctask.backend', $url);
    ini_set('asynctask.dispatch_timeout', (string) $timeout);
    [$out, $seconds] = redis_test_timed(fn () => redisCommand('PING'));
    echo str_replace([(string) $port, $dir], ['PORT', 'DIR'], $out), "\n";
    // at least the timeout, at most 0.5 s more (a loaded 2-core machine)
    echo $seconds >= $timeout && $seconds < $timeout + 0.5 ? "within [$timeout, $timeout + 0.5) s" : "took $seconds s", "\n";
}
?>
--EXPECTF--
AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:PORT: Connection refused (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1 + 0.5) s
AsyncTask\BackendException: cannot connect to Redis at DIR/no-such.sock: No such file or directory (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1 + 0.5) s
AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:PORT: Connection refused (gave up after 1 attempts in 0.%d s, asynctask.dispatch_timeout)
within [0, 0 + 0.5) s
