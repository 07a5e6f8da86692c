--TEST--
Redis node: Redis killed under a node and started again (its own redis-server, appendonly): a result that comes while Redis is away is kept (stats() results_kept) and stored once the node has reconnected with backoff; the node takes tasks again; stats() counts the reconnects and says when it is connected
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

// a private redis-server: stopping the shared one would fail the other tests
$dir = asynctask_test_dir('node_reconnect');
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
register_shutdown_function(function () use (&$proc) {
    if (is_resource($proc)) {
        proc_terminate($proc, SIGKILL);
        proc_close($proc);
    }
});
wait_up("$dir/redis.sock");
$prefix = 'reconnect';
ini_set('asynctask.backend', "unix://$dir/redis.sock");
ini_set('asynctask.secret', NODE_TEST_SECRET);
ini_set('asynctask.prefix', $prefix);
ini_set('asynctask.log', "$dir/log");
ini_set('asynctask.dispatch_timeout', '10');
$reply = "$prefix:r:test";
AsyncTask\Pool::start(1);

[$held] = node_test_dispatch($prefix, [], function (string $dir) {
    touch("$dir/running");
    for ($i = 0; $i < 3000 && !file_exists("$dir/gate"); $i++) {
        usleep(10000);
    }
    return 'stored after the restart';
}, $dir);
var_dump(asynctask_test_wait_for("$dir/running"));

// Redis goes; the task ends meanwhile: its result waits in the node
proc_terminate($proc, SIGKILL);
proc_close($proc);
touch("$dir/gate");
var_dump(node_test_until(fn () => AsyncTask\Pool::stats()['results_kept'] === 1));
var_dump(AsyncTask\Pool::stats()['backend_connected']);

// Redis comes back (its append-only file still has the entry, pending to this node)
$proc = $start();
wait_up("$dir/redis.sock");
$r = node_test_result($reply, 20);
var_dump($r['id'] === $held, $r['value'], $r['attempt']);
[$after] = node_test_dispatch($prefix, [], 'strtoupper', 'after');
$r = node_test_result($reply, 20);
var_dump($r['id'] === $after, $r['value']);
var_dump(redisCommand('XLEN', "$prefix:q:default"), redisCommand('XPENDING', "$prefix:q:default", 'nodes')[0]);
// (the figures are refreshed ten times a second)
var_dump(node_test_until(function () {
    $s = AsyncTask\Pool::stats();
    return $s['results_kept'] === 0 && $s['reconnects'] >= 1 && $s['backend_connected'];
}, 5));
AsyncTask\Pool::stop();
$log = file_get_contents("$dir/log");
var_dump(str_contains($log, 'the writer connection to') && str_contains($log, 'is down'),
    str_contains($log, 'the writer connection is back'));
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
bool(true)
string(24) "stored after the restart"
int(1)
bool(true)
string(5) "AFTER"
int(0)
int(0)
bool(true)
bool(true)
bool(true)
