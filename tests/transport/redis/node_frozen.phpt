--TEST--
Redis node: a Redis that stops answering without closing its sockets (SIGSTOP; its own redis-server) is noticed by the node's watchdog (half of visibility_timeout, at least 1 s): the connection is dropped and the result that could not be stored is kept; reconnecting goes on with backoff while Redis stays frozen; once Redis answers again (SIGCONT) the kept result is stored and the node takes tasks again
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('node_frozen');
$server = redis_test_env('SERVER');
$proc = proc_open([$server, '--port', '0', '--unixsocket', "$dir/redis.sock", '--dir', $dir, '--appendonly', 'yes',
    '--save', '', '--logfile', "$dir/redis.log"], [], $pipes);
$pid = proc_get_status($proc)['pid'];
register_shutdown_function(function () use ($proc, $pid) {
    posix_kill($pid, SIGCONT);
    proc_terminate($proc, SIGKILL);
    proc_close($proc);
});
for ($i = 0; $i < 200 && !@stream_socket_client("unix://$dir/redis.sock"); $i++) {
    usleep(25000);
}
$prefix = 'frozen';
ini_set('asynctask.backend', "unix://$dir/redis.sock");
ini_set('asynctask.secret', NODE_TEST_SECRET);
ini_set('asynctask.prefix', $prefix);
ini_set('asynctask.log', "$dir/log");
ini_set('asynctask.visibility_timeout', '2');
$reply = "$prefix:r:test";
AsyncTask\Pool::start(1);

[$held] = node_test_dispatch($prefix, [], function (string $dir) {
    touch("$dir/running");
    for ($i = 0; $i < 3000 && !file_exists("$dir/gate"); $i++) {
        usleep(10000);
    }
    return 'stored after the thaw';
}, $dir);
var_dump(asynctask_test_wait_for("$dir/running"));

posix_kill($pid, SIGSTOP);
touch("$dir/gate");
// the store went out and nobody answers: after the watchdog the result is kept
var_dump(node_test_until(fn () => AsyncTask\Pool::stats()['results_kept'] === 1, 20));
var_dump(AsyncTask\Pool::stats()['backend_connected']);

posix_kill($pid, SIGCONT);
$r = node_test_result($reply, 30);
var_dump($r['id'] === $held, $r['value']);
[$after] = node_test_dispatch($prefix, [], 'strtoupper', 'thawed');
$r = node_test_result($reply, 20);
var_dump($r['id'] === $after, $r['value']);
var_dump(redisCommand('XLEN', "$prefix:q:default"), redisCommand('XPENDING', "$prefix:q:default", 'nodes')[0]);
var_dump(node_test_until(function () {
    $s = AsyncTask\Pool::stats();
    return $s['results_kept'] === 0 && $s['reconnects'] >= 1 && $s['backend_connected'];
}, 10));
AsyncTask\Pool::stop();
var_dump(str_contains(file_get_contents("$dir/log"), 'Redis did not answer for'));
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
bool(true)
string(21) "stored after the thaw"
bool(true)
string(6) "THAWED"
int(0)
int(0)
bool(true)
bool(true)
