--TEST--
Redis node: a task whose worker dies (SIGKILL) runs again at once as the entry's next delivery (context()->attempt() 2) and its result is stored; a poison task (its worker always dies) ends in {prefix}:dead after asynctask.max_attempts deliveries with the crash as its error, and its reply key gets a CRASHED result (its caller's WorkerCrashedException) saying it was dead-lettered after N attempts; the pool replaced every worker
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

$dir = asynctask_test_dir('node_crash');
$prefix = node_test_setup('crash', ['asynctask.max_attempts' => 3, 'asynctask.log' => "$dir/log"]);
$reply = "$prefix:r:test";
AsyncTask\Pool::start(2);

// dies on its first delivery only
[$once] = node_test_dispatch($prefix, [], function () {
    if (AsyncTask\context()->attempt() === 1) {
        posix_kill(getmypid(), SIGKILL);
    }
    return 'survived attempt ' . AsyncTask\context()->attempt();
});
$r = node_test_result($reply);
var_dump($r['id'] === $once, $r['status'], $r['value'], $r['attempt']);

// dies every time
[$poison, $entry] = node_test_dispatch($prefix, [], function (string $dir) {
    file_put_contents("$dir/attempts", AsyncTask\context()->attempt() . "\n", FILE_APPEND);
    posix_kill(getmypid(), SIGKILL);
}, $dir);
$r = node_test_result($reply);
var_dump($r['id'] === $poison, $r['status'], $r['failed_flag'], $r['attempt']);
echo $r['error']['message'], "\n";
echo file_get_contents("$dir/attempts");

$dead = node_test_dead($prefix);
var_dump(count($dead));
$d = reset($dead);
var_dump($d['id'] === $entry, $d['attempts'], $d['stream'] === "$prefix:q:default");
echo $d['error'], "\n";
var_dump(redisCommand('XLEN', "$prefix:q:default"), redisCommand('XPENDING', "$prefix:q:default", 'nodes')[0]);
var_dump(node_test_until(fn () => AsyncTask\Pool::stats()['dead_lettered'] === 1, 5));
$s = AsyncTask\Pool::stats();
var_dump($s['workers'], $s['respawned']);
AsyncTask\Pool::stop();
?>
--EXPECTF--
bool(true)
int(1)
string(18) "survived attempt 2"
int(2)
bool(true)
int(5)
int(1)
int(3)
the task was dead-lettered after 3 attempts: the worker (pid %d) running task %d was killed by signal 9 (Killed)
1
2
3
int(1)
bool(true)
string(1) "3"
bool(true)
the worker (pid %d) running task %d was killed by signal 9 (Killed)
int(0)
int(0)
bool(true)
int(2)
int(4)
