--TEST--
Redis dispatch() while Redis cannot be reached (a closed loopback port, a missing unix socket): retried until asynctask.dispatch_timeout, then AsyncTask\BackendException naming the address, and no Future, no hang, no local pool; the same process dispatches again once the backend points at a live server
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
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

ini_set('asynctask.backend', redis_test_url());
$f = AsyncTask\dispatch('strtoupper', 'x');
[$task] = array_values(node_take($prefix, $secret));
node_return($task, $secret, 'X');
var_dump($f->wait(5));
?>
--EXPECTF--
AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:PORT: Connection refused (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1.5) s
AsyncTask\BackendException: cannot connect to Redis at DIR/no-such.sock: No such file or directory (gave up after %d attempts in 1.%d s, asynctask.dispatch_timeout)
within [1, 1.5) s
int(0)
int(0)
string(1) "X"
