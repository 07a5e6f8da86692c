--TEST--
Redis Sentinel on a node: Pool::serve() with a redis-sentinel:// backend (a dead Sentinel listed first) asks the Sentinels for the master, checks it, and runs tasks a dispatcher sends through Sentinel; Pool::start() in a script does the same; a master name no Sentinel knows, or no Sentinel reachable, is a BackendException from serve() itself, naming each Sentinel
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=10
--FILE--
<?php
require __DIR__ . '/sentinel.inc';
require __DIR__ . '/e2e.inc';
require __DIR__ . '/node.inc';

$t = new SentinelTopology('node', sentinels: 1);
$dir = asynctask_test_dir('node-via-sentinel');
$dead = redis_test_free_port();
$ini = e2e_ini('sentinel_node', ['asynctask.backend' => $t->url([$dead])]);
e2e_dispatcher($ini);

// a node in a process tree of its own, through Sentinel
[$proc, $pid, $log] = e2e_node($dir, 'via-sentinel', $ini);
$futures = [];
for ($i = 0; $i < 6; $i++) {
    $futures[] = AsyncTask\dispatch(fn ($i) => [$i * 3, AsyncTask\context()->node()], $i);
}
var_dump(AsyncTask\Future::all($futures, 30) === array_map(fn ($i) => [$i * 3, 'via-sentinel'], range(0, 5)));
// the entries went to the master and were acknowledged there (none pending)
$stream = $ini['asynctask.prefix'] . ':q:default';
var_dump($t->call($t->master, 'XINFO', 'GROUPS', $stream)[0][5]);
posix_kill($pid, SIGTERM);
var_dump(e2e_reap($proc));
$out = file_get_contents("$dir/asynctask-via-sentinel.log") . file_get_contents($log);
var_dump(str_contains($out, "the Sentinel at 127.0.0.1:{$t->sentinels[0]} names 127.0.0.1:{$t->master} as the master 'mymaster'"));
var_dump(str_contains($out, 'serve() returned'));

// Pool::start() in this script: a node too
ini_set('asynctask.log', "$dir/asynctask-start.log");
AsyncTask\Pool::start(1);
$f = AsyncTask\dispatch(fn () => getmypid());
var_dump($f->wait(20) !== getmypid(), node_test_until(fn () => AsyncTask\Pool::stats()['backend_connected'], 5));
AsyncTask\Pool::stop();

// refusals, from serve() itself
ini_set('asynctask.dispatch_timeout', '1');
ini_set('asynctask.backend', $t->url([], 'nosuchmaster'));
try {
    AsyncTask\Pool::serve();
} catch (AsyncTask\BackendException $e) {
    echo get_class($e), ': ', str_replace((string) $t->sentinels[0], 'S', $e->getMessage()), "\n";
}
ini_set('asynctask.backend', "redis-sentinel://127.0.0.1:$dead/mymaster");
try {
    AsyncTask\Pool::serve();
} catch (AsyncTask\BackendException $e) {
    echo get_class($e), ': ', str_replace((string) $dead, 'D', $e->getMessage()), "\n";
}
var_dump(AsyncTask\Pool::stats()['workers'] ?? null);
?>
--EXPECTF--
bool(true)
int(0)
int(0)
bool(true)
bool(true)
bool(true)
bool(true)
AsyncTask\BackendException: no Sentinel named the master 'nosuchmaster' (tried 127.0.0.1:S: knows no master named 'nosuchmaster')
AsyncTask\BackendException: no Sentinel named the master 'mymaster' (tried 127.0.0.1:D: Connection refused) (gave up after %d attempts in %f s, asynctask.dispatch_timeout)
%s
