--TEST--
Redis connection: a Redis restarted under a connection is reconnected to within asynctask.dispatch_timeout (the call succeeds, on a new connection); a Redis that stops answering (SIGSTOP) fails the call with BackendException after dispatch_timeout, not a hang, and works again once it answers
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/redis.inc';
use function AsyncTask\Testing\redisCommand;

// a private redis-server of this test: stopping the shared one would fail the others
$dir = asynctask_test_dir('conn_restart');
$server = redis_test_env('SERVER');
$start = fn () => proc_open([$server, '--port', '0', '--unixsocket', "$dir/redis.sock", '--dir', $dir,
    '--appendonly', 'yes', '--save', '', '--logfile', "$dir/redis.log"], [], $pipes);
function wait_up(string $socket): void
{
    for ($i = 0; $i < 200 && !@stream_socket_client("unix://$socket"); $i++) {
        usleep(25000);
    }
}
$proc = $start();
// a failing test must not leave its server running
register_shutdown_function(function () use (&$proc) {
    if (is_resource($proc)) {
        proc_terminate($proc, SIGKILL);
        proc_close($proc);
    }
});
wait_up("$dir/redis.sock");
ini_set('asynctask.backend', "unix://$dir/redis.sock");
ini_set('asynctask.dispatch_timeout', '10');
var_dump(redisCommand('PING'));

// killed and started again: the next call finds its connection closed and reconnects
proc_terminate($proc, SIGKILL);
proc_close($proc);
$proc = $start();
[$out, $seconds] = redis_test_timed(fn () => redisCommand('PING'));
var_dump($out, $seconds < 10);

// frozen: no reply within dispatch_timeout -> BackendException, then fine once it answers again
$pid = proc_get_status($proc)['pid'];
ini_set('asynctask.dispatch_timeout', '1');
posix_kill($pid, SIGSTOP);
[$out, $seconds] = redis_test_timed(fn () => redisCommand('PING'));
posix_kill($pid, SIGCONT);
echo preg_replace('~ at \S+redis\.sock~', ' at SOCKET', $out), "\n";
echo $seconds >= 1 && $seconds < 1.5 ? 'within [1, 1.5) s' : "took $seconds s", "\n";
ini_set('asynctask.dispatch_timeout', '10');
var_dump(redisCommand('PING'));
proc_terminate($proc, SIGKILL);
proc_close($proc);
?>
--EXPECTF--
string(4) "PONG"
string(4) "PONG"
bool(true)
AsyncTask\BackendException: Redis at SOCKET: PING failed: no reply in time (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1.5) s
string(4) "PONG"
