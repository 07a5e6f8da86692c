--TEST--
Redis Sentinel failover under a node: a Pool::serve() node runs tasks through Sentinel while a loop dispatches with redis_replicas=1; the master is SIGKILLed mid-run; Sentinel promotes a replica; the node asks the Sentinels again and serves the new master, the dispatcher follows too, and every Future whose dispatch() returned settles with its value (tasks the node had in hand when the master died run again there or have their kept result stored); bounded time, no hang
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=20
asynctask.redis_replicas=1
--FILE--
<?php
require __DIR__ . '/sentinel.inc';
require __DIR__ . '/e2e.inc';

// two replicas: after the promotion of one, the other follows the new master and WAIT 1 has a replica again
$t = new SentinelTopology('node-failover', sentinels: 1, downAfterMs: 1000, replicas: 2);
$dir = asynctask_test_dir('node-failover-dir');
$ini = e2e_ini('sentinel_node_failover', ['asynctask.backend' => $t->url(), 'asynctask.visibility_timeout' => '3',
    'asynctask.dispatch_timeout' => '20']);
e2e_dispatcher($ini);
$oldMaster = $t->master;
[$proc, $pid, $log] = e2e_node($dir, 'n1', $ini);

$task = function (int $i) {
    usleep(20000);
    return [$i * 2, AsyncTask\context()->attempt()];
};
// the node serves the master first
var_dump(AsyncTask\dispatch($task, -1)->wait(30)[0]);
$start = hrtime(true);
$futures = [];
$failed = 0;
// 40 tasks, the master SIGKILLed with most of them waiting or in hand, 40 more (they wait for the promotion)
for ($i = 0; $i < 80 && asynctask_test_elapsed($start) < 60; $i++) {
    if ($i === 40) {
        $t->kill('master');
    }
    try {
        $futures[$i] = AsyncTask\dispatch($task, $i);
    } catch (AsyncTask\BackendException $e) {
        $failed++;   // not returned, so not promised (e.g. WAIT cut off with the master)
    }
}
$settled = $wrong = 0;
$attempts = [];
foreach ($futures as $i => $f) {
    try {
        [$value, $attempt] = $f->wait(max(1, 90 - asynctask_test_elapsed($start)));
        $settled++;
        $wrong += $value !== $i * 2;
        $attempts[$attempt] = ($attempts[$attempt] ?? 0) + 1;
    } catch (AsyncTask\Exception $e) {
        echo "task $i: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$elapsed = asynctask_test_elapsed($start);
$newMaster = $t->masterPort();
var_dump($newMaster !== $oldMaster && in_array($newMaster, $t->replicas, true));
echo count($futures) >= 75 && $settled === count($futures) && $wrong === 0
    ? "every returned dispatch() settled with its value\n" : "$settled of " . count($futures) . " settled, $wrong wrong\n";
echo $elapsed < 90 ? "bounded\n" : "took $elapsed s\n";
// the node serves the new master: one more
var_dump(AsyncTask\dispatch($task, 100)->wait(30)[0]);
posix_kill($pid, SIGTERM);
var_dump(e2e_reap($proc));
$out = file_get_contents("$dir/asynctask-n1.log");
var_dump(str_contains($out, "names 127.0.0.1:$newMaster as the master 'mymaster'"),
    str_contains($out, 'the writer connection is back'), str_contains($out, 'the reader connection is back'));
ksort($attempts);
$kept = preg_match('/storing the (\d+) results kept meanwhile/', $out, $m) ? (int) $m[1] : 0;
echo "(", count($futures), " dispatched, $failed dispatch() calls failed, attempts ", json_encode($attempts),
    ", $kept results kept while the master was away, in ", round($elapsed, 1), " s)\n";
?>
--EXPECTF--
int(-2)
bool(true)
every returned dispatch() settled with its value
bounded
int(200)
int(0)
bool(true)
bool(true)
bool(true)
(%d dispatched, %d dispatch() calls failed, attempts %s, %d results kept while the master was away, in %f s)
