--TEST--
Redis Sentinel: no Sentinel reachable -> dispatch() throws BackendException after asynctask.dispatch_timeout (not a hang), naming every Sentinel tried and why
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=1
--FILE--
<?php
require __DIR__ . '/dispatch.inc';

$ports = [redis_test_free_port(), redis_test_free_port(), redis_test_free_port()];
$url = 'redis-sentinel://:pw@' . implode(',', array_map(fn ($p) => "127.0.0.1:$p", $ports)) . '/mymaster';
dispatch_test_setup('sentinel_down', $url);
[$out, $seconds] = redis_test_timed(fn () => AsyncTask\dispatch('strtoupper', 'x'));
echo str_replace(array_map('strval', $ports), ['P1', 'P2', 'P3'], $out), "\n";
// (the upper bound leaves room for a loaded machine, valgrind and ASan; the lower one is the setting)
echo $seconds >= 1 && $seconds < 4 ? 'within [1, 4) s' : "took $seconds s", "\n";
var_dump(AsyncTask\Pool::stats()['dispatched']);
?>
--EXPECTF--
AsyncTask\BackendException: no Sentinel named the master 'mymaster' (tried 127.0.0.1:P1: Connection refused; 127.0.0.1:P2: Connection refused; 127.0.0.1:P3: Connection refused) (gave up after %d attempts in %d.%d s, asynctask.dispatch_timeout)
within [1, 4) s
int(0)
