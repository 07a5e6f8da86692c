--TEST--
Redis Sentinel down under a node: no Sentinel reachable at start -> Pool::serve() throws BackendException after dispatch_timeout naming each; a serving node whose connections drop while every Sentinel is down logs that no Sentinel named the master and keeps asking with backoff, then serves again once a Sentinel is back
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
require __DIR__ . '/sentinel.inc';
require __DIR__ . '/e2e.inc';
require __DIR__ . '/node.inc';

// none reachable at start: serve() itself says so, within the time asked
$ports = [redis_test_free_port(), redis_test_free_port(), redis_test_free_port()];
$ini = e2e_ini('sentinel_node_down', ['asynctask.backend' => 'redis-sentinel://:pw@'
    . implode(',', array_map(fn ($p) => "127.0.0.1:$p", $ports)) . '/mymaster', 'asynctask.dispatch_timeout' => '1']);
e2e_dispatcher($ini);
[$out, $seconds] = redis_test_timed(fn () => AsyncTask\Pool::serve());
echo str_replace(array_map('strval', $ports), ['P1', 'P2', 'P3'], $out), "\n";
// (the upper bound leaves room for a loaded machine and an ASan build; the lower one is the setting)
echo $seconds >= 1 && $seconds < 4 ? 'within [1, 4) s' : "took $seconds s", "\n";
var_dump(AsyncTask\Pool::stats()['workers'] ?? null);

// a serving node loses its connections while the only Sentinel is down
$t = new SentinelTopology('node-down', sentinels: 1);
$dir = asynctask_test_dir('node-down-dir');
$ini = e2e_ini('sentinel_node_down', ['asynctask.backend' => $t->url(), 'asynctask.dispatch_timeout' => '10']);
e2e_dispatcher($ini);
[$proc, $pid, $log] = e2e_node($dir, 'n1', $ini);
var_dump(AsyncTask\dispatch(fn () => 'before')->wait(30));
$t->kill('sentinel-0');
$t->call($t->master, 'CLIENT', 'KILL', 'TYPE', 'normal');
$nodeLog = "$dir/asynctask-n1.log";
$said = "no Sentinel named the master 'mymaster' (tried 127.0.0.1:{$t->sentinels[0]}: Connection refused); asking again with backoff";
var_dump(node_test_until(fn () => str_contains(file_get_contents($nodeLog), $said), 20));
// still asking, not given up: the Sentinel back, the node serves again
sleep(2);
var_dump(proc_get_status($proc)['running']);
$t->restart('sentinel-0');
var_dump(sentinel_wait_until(fn () => ($t->call($t->sentinels[0], 'PING') === 'PONG')));
[$value, $seconds] = redis_test_timed(fn () => AsyncTask\dispatch(fn () => 'after')->wait(30));
var_dump($value);
echo $seconds < 15 ? "served again within 15 s\n" : "took $seconds s\n";
var_dump(str_contains(file_get_contents($nodeLog), 'the reader connection is back'));
posix_kill($pid, SIGTERM);
var_dump(e2e_reap($proc));
?>
--EXPECTF--
AsyncTask\BackendException: no Sentinel named the master 'mymaster' (tried 127.0.0.1:P1: Connection refused; 127.0.0.1:P2: Connection refused; 127.0.0.1:P3: Connection refused) (gave up after %d attempts in %d.%d s, asynctask.dispatch_timeout)
within [1, 4) s
int(0)
string(6) "before"
bool(true)
bool(true)
bool(true)
string(5) "after"
served again within 15 s
bool(true)
int(0)
