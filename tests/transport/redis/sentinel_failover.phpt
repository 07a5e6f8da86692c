--TEST--
Redis Sentinel failover: the master SIGKILLed while a loop dispatches with redis_replicas=1; Sentinel promotes a replica (down-after-milliseconds 1000) and the dispatcher follows it within dispatch_timeout; every task whose dispatch() returned is in the new master's stream; bounded time, no hang
--EXTENSIONS--
asynctask
posix
pcntl
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=20
asynctask.redis_replicas=1
--FILE--
<?php
require __DIR__ . '/sentinel.inc';
require __DIR__ . '/dispatch.inc';

// two replicas: after the promotion of one, the other follows the new master and WAIT 1 has a replica again
$t = new SentinelTopology('failover', sentinels: 1, downAfterMs: 1000, replicas: 2);
[$secret, $prefix] = dispatch_test_setup('sentinel_failover', $t->url());
$stream = dispatch_test_stream($prefix);
$oldMaster = $t->master;

// the killer: SIGKILLs the master once 30 entries are in, whatever the dispatcher is doing then, and says so
$masterPid = $t->pid('master');
$killed = "$t->dir/killed";
$killer = pcntl_fork();
if ($killer === 0) {
    for ($i = 0; $i < 12000; $i++) {
        try {
            if ($t->call($oldMaster, 'XLEN', $stream) >= 30) {
                break;
            }
        } catch (RuntimeException) {
        }
        usleep(5000);
    }
    posix_kill($masterPid, SIGKILL);
    touch($killed);
    posix_kill(posix_getpid(), SIGKILL);   // no shutdown functions here: they are the parent's
}

// dispatches until 30 more returned after the kill
$start = hrtime(true);
$returned = [];
$failed = 0;
$atKill = null;
while (asynctask_test_elapsed($start) < 90) {
    if ($atKill === null && file_exists($killed)) {
        $atKill = count($returned);
    }
    if ($atKill !== null && count($returned) >= $atKill + 30) {
        break;
    }
    try {
        $returned[] = AsyncTask\dispatch('strtoupper', 'task ' . count($returned))->id();
    } catch (AsyncTask\BackendException $e) {
        // e.g. WAIT cut off with the master: not returned, so not promised
        $failed++;
    }
}
$elapsed = asynctask_test_elapsed($start);
pcntl_waitpid($killer, $status);

$newMaster = $t->masterPort();
var_dump($newMaster !== $oldMaster && in_array($newMaster, $t->replicas, true));
var_dump(str_contains($t->info($newMaster), 'role:master'));
var_dump($atKill !== null && $atKill >= 29 && count($returned) === $atKill + 30);
$onNewMaster = sentinel_stream_ids($t, $newMaster, $stream, $secret);
$lost = array_diff($returned, $onNewMaster);
echo count($lost) === 0 ? "no returned task lost\n" : count($lost) . " returned task(s) lost\n";
echo $elapsed < 90 ? "bounded\n" : "took $elapsed s\n";
echo "($failed dispatch() calls failed meanwhile, in $elapsed s)\n";
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
no returned task lost
bounded
(%d dispatch() calls failed meanwhile, in %f s)
