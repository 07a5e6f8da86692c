--TEST--
Redis dispatch() while Redis cannot be reached (a closed loopback port, a missing unix socket): retried until asynctask.dispatch_timeout, then AsyncTask\BackendException naming the address, and no Future, no hang, no local pool; the same process dispatches again once the backend points at a live server; a Future whose Redis stops answering (SIGSTOP) throws BackendException after dispatch_timeout from wait(), isDone(), cancel(), all() and any(), and settles once it answers again, read where it was sent although asynctask.backend changed meanwhile
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=1
--FILE--
<?php
require __DIR__ . '/dispatch.inc';

$port = redis_test_free_port();
$dir = asynctask_test_dir('dispatch_down');
[$secret, $prefix] = dispatch_test_setup('down', "redis://127.0.0.1:$port");
foreach (["redis://127.0.0.1:$port", "unix://$dir/no-such.sock"] as $url) {
    ini_set('asynctask.backend', $url);
    [$out, $seconds] = redis_test_timed(fn () => AsyncTask\dispatch('strtoupper', 'x'));
    echo str_replace([(string) $port, $dir], ['PORT', 'DIR'], $out), "\n";
    echo $seconds >= 1.0 && $seconds < 1.5 ? 'within [1, 1.5) s' : "took $seconds s", "\n";
}
$stats = AsyncTask\Pool::stats();
var_dump($stats['workers'], $stats['dispatched']);

// a private redis-server that this test freezes (SIGSTOP): freezing the shared one would fail the others
$proc = proc_open([redis_test_env('SERVER'), '--port', '0', '--unixsocket', "$dir/redis.sock", '--dir', $dir,
    '--appendonly', 'no', '--save', '', '--logfile', "$dir/redis.log"], [], $pipes);
register_shutdown_function(function () use ($proc) {
    proc_terminate($proc, SIGKILL);
    proc_close($proc);
});
for ($i = 0; $i < 200 && !@stream_socket_client("unix://$dir/redis.sock"); $i++) {
    usleep(25000);
}
ini_set('asynctask.backend', "unix://$dir/redis.sock");
$f = AsyncTask\dispatch('strtoupper', 'x');
[$task] = array_values(node_take($prefix, $secret));

echo "-- Redis frozen while a Future waits\n";
$pid = proc_get_status($proc)['pid'];
ini_set('asynctask.dispatch_timeout', '0.3');
posix_kill($pid, SIGSTOP);
foreach (['wait' => fn () => $f->wait(5), 'isDone' => fn () => $f->isDone(), 'cancel' => fn () => $f->cancel(),
        'all' => fn () => AsyncTask\Future::all([$f], 5), 'any' => fn () => AsyncTask\Future::any([$f], 5)] as $name => $call) {
    [$out, $seconds] = redis_test_timed($call);
    echo "$name: ", str_replace($dir, 'DIR', $out), $seconds < 1.0 ? '' : " (after $seconds s)", "\n";
}
posix_kill($pid, SIGCONT);
// answering again: the same Future settles (a script that changed asynctask.backend meanwhile reads where it sent)
ini_set('asynctask.dispatch_timeout', '5');
ini_set('asynctask.backend', '');
node_push_to("unix://$dir/redis.sock", $task, node_result($task, $secret, RESULT_VALUE, AsyncTask\Testing\encodeValue('X')));
var_dump($f->wait(5));

function node_push_to(string $url, array $task, string $bytes): void
{
    $was = ini_get('asynctask.backend');
    ini_set('asynctask.backend', $url);
    node_push($task, $bytes);
    ini_set('asynctask.backend', $was);
}
?>
--EXPECTF--
AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:PORT: Connection refused (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1.5) s
AsyncTask\BackendException: cannot connect to Redis at DIR/no-such.sock: No such file or directory (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1.5) s
int(0)
int(0)
-- Redis frozen while a Future waits
wait: AsyncTask\BackendException: Redis at DIR/redis.sock: BLMOVE failed: no reply in time (gave up after %d attempts in 0.%d s, asynctask.dispatch_timeout)
isDone: AsyncTask\BackendException: Redis at DIR/redis.sock: LRANGE failed: no reply in time (gave up after %d attempts in 0.%d s, asynctask.dispatch_timeout)
cancel: AsyncTask\BackendException: Redis at DIR/redis.sock: LRANGE failed: no reply in time (gave up after %d attempts in 0.%d s, asynctask.dispatch_timeout)
all: AsyncTask\BackendException: Redis at DIR/redis.sock: BLMOVE failed: no reply in time (gave up after %d attempts in 0.%d s, asynctask.dispatch_timeout)
any: AsyncTask\BackendException: Redis at DIR/redis.sock: LRANGE failed: no reply in time (gave up after %d attempts in 0.%d s, asynctask.dispatch_timeout)
string(1) "X"
