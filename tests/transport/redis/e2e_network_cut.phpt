--TEST--
Redis backend end to end: a node cut off from Redis (it runs in a network namespace of its own, joined to the host by a veth pair; the host's end is taken down while the node runs two tasks): a node on the host reclaims them past visibility_timeout and their Futures settle with its results at attempt 2; the link comes up again, the cut-off node finishes its tasks, reconnects and finds its results late: dropped and logged, never delivered twice; it then serves again
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php
$needs = ['server'];
require __DIR__ . '/skipif.inc';
if (posix_geteuid() !== 0) die('skip needs root (a network namespace and a veth pair)');
$clean = 'env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS ';
exec($clean . 'ip netns add asynctask-skipif-' . getmypid() . ' 2>&1 && ' . $clean . 'ip netns del asynctask-skipif-' . getmypid() . ' 2>&1', $out, $rc);
if ($rc !== 0) die('skip cannot make a network namespace: ' . implode(' ', $out));
?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/e2e.inc';
$dir = asynctask_test_dir('e2e-cut');

// ip(8) without the sanitizers .ci/asan preloads into every child (their leak
// report at its exit would fail it): only php is under test
const CLEAN = 'env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS ';

function sh(string $cmd): void
{
    exec(CLEAN . "$cmd 2>&1", $out, $rc);
    if ($rc !== 0) {
        throw new RuntimeException("$cmd: " . implode("\n", $out));
    }
}
function until(callable $ok, float $limit = 30.0): bool
{
    for ($until = microtime(true) + $limit; !$ok(); usleep(20000)) {
        if (microtime(true) > $until) {
            return false;
        }
    }
    return true;
}

// the cut-off node's "machine": a namespace with one link to the host, 10.213.N.2 <-> 10.213.N.1
$ns = 'asynctask-cut-' . getmypid();
$host = 'atcut' . getmypid() % 100000 . 'h';
$peer = 'atcut' . getmypid() % 100000 . 'n';
$net = '10.213.' . getmypid() % 250;
register_shutdown_function(function () use ($ns, $host) {
    exec(CLEAN . "ip netns del $ns 2>&1; " . CLEAN . "ip link del $host 2>&1");   // (the namespace's end goes with it)
});
sh("ip netns add $ns");
sh("ip link add $host type veth peer name $peer");
sh("ip link set $peer netns $ns");
sh("ip addr add $net.1/30 dev $host");
sh("ip link set $host up");
sh("ip netns exec $ns ip addr add $net.2/30 dev $peer");
sh("ip netns exec $ns ip link set $peer up");
sh("ip netns exec $ns ip link set lo up");

// a private redis-server on the host's end of the link (and a unix socket for this side);
// a password, as Redis serves no other address than loopback without one
$port = redis_test_free_port();
$password = bin2hex(random_bytes(12));
$redis = proc_open([redis_test_env('SERVER'), '--bind', "$net.1", '--port', (string) $port, '--requirepass', $password,
    '--unixsocket', "$dir/redis.sock", '--dir', $dir, '--appendonly', 'yes', '--save', '',
    '--logfile', "$dir/redis.log"], [], $pipes);
register_shutdown_function(function () use ($redis) {
    proc_terminate($redis, SIGKILL);
    proc_close($redis);
});
var_dump(until(fn () => @stream_socket_client("unix://$dir/redis.sock")));

$ini = e2e_ini('cut', ['asynctask.visibility_timeout' => '2', 'asynctask.backend' => "unix://:$password@$dir/redis.sock"]);
e2e_dispatcher($ini);

// node a, in the namespace, reaches Redis over the link only
file_put_contents("$dir/node-a.php", '<?php AsyncTask\Pool::serve(); echo "serve() returned\n";');
$cmd = "exec ip netns exec $ns setsid timeout -s KILL 120 " . asynctask_test_command("$dir/node-a.php",
    ['asynctask.backend' => "redis://:$password@$net.1:$port", 'asynctask.node' => 'a', 'asynctask.workers' => 2,
     'asynctask.log' => "$dir/asynctask-a.log"] + $ini) . ' > ' . escapeshellarg("$dir/node-a.out");
$pa = proc_open($cmd, [], $pipes);
$pida = proc_get_status($pa)['pid'];
register_shutdown_function(fn () => e2e_kill_tree($pida));

$task = function (int $i, string $dir) {
    $c = AsyncTask\context();
    touch("$dir/started-{$c->node()}-$i-{$c->attempt()}");
    for ($n = 0; $n < 2000 && !file_exists("$dir/gate"); $n++) {
        usleep(10000);
    }
    return [$i, $c->node(), $c->attempt()];
};
$futures = [AsyncTask\dispatch($task, 0, $dir), AsyncTask\dispatch($task, 1, $dir)];
var_dump(until(fn () => count(glob("$dir/started-a-*-1")) === 2));

// the link goes down; node b, on the host, takes the two over once they were left alone long enough
sh("ip link set $host down");
[$pb, $pidb] = e2e_node($dir, 'b', $ini);
var_dump(until(fn () => count(glob("$dir/started-b-*-2")) === 2));
touch("$dir/gate");
foreach (AsyncTask\Future::all($futures, 30) as $k => $r) {
    echo "task $k: ", json_encode($r), "\n";
}

// the link comes back: a's results are late
sh("ip link set $host up");
var_dump(until(fn () => substr_count((string) @file_get_contents("$dir/asynctask-a.log"), 'came late') === 2, 60));
$pending = 0;
foreach (AsyncTask\Testing\redisCommand('KEYS', $ini['asynctask.prefix'] . ':r:*') as $key) {
    $pending += AsyncTask\Testing\redisCommand('LLEN', $key);
}
echo "results waiting in Redis: $pending\n";
var_dump(AsyncTask\Testing\redisCommand('XLEN', $ini['asynctask.prefix'] . ':q:default'));

// b stops; a serves again
posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pb));
var_dump(AsyncTask\dispatch(fn () => AsyncTask\context()->node())->wait(30));
posix_kill($pida, SIGTERM);
var_dump(e2e_reap($pa));
echo file_get_contents("$dir/node-a.out");
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
task 0: [0,"b",2]
task 1: [1,"b",2]
bool(true)
results waiting in Redis: 0
int(0)
int(0)
string(1) "a"
int(0)
serve() returned
