--TEST--
Redis Task::delay() end to end: dispatched while no node runs, a delayed task waits in the delayed set (not in a stream) and runs once a node starts; with a node running it never runs early (its own clock against the time before dispatch()) and runs within a bound of its due time; cancel() of a delayed task is true and it never runs; a node SIGKILLed while tasks wait leaves them in Redis, and a new node runs them, none early; stats() of a node counts what it moved
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';
use AsyncTask\Task;
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('e2e-delay');
$ini = e2e_ini('delay');
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
$set = "$prefix:delayed:default";

$run = function (string $dir, string $name) {
    file_put_contents("$dir/ran-$name", microtime(true) . "\n", FILE_APPEND);
    return [microtime(true), AsyncTask\context()->node()];
};

echo "-- no node yet\n";
$t0 = microtime(true);
$early = [];
for ($i = 0; $i < 5; $i++) {
    $early[$i] = (new Task($run, $dir, "early-$i"))->delay(0.3)->dispatch();
}
usleep(800000);
var_dump(redisCommand('ZCARD', $set), redisCommand('XLEN', "$prefix:q:default"));
[$pa, $pida] = e2e_node($dir, 'a', $ini);
$ok = true;
foreach (AsyncTask\Future::all($early, 20) as $i => [$at, $node]) {
    $ok = $ok && $at >= $t0 + 0.3 && $node === 'a';
}
var_dump($ok, redisCommand('ZCARD', $set));

echo "-- a node runs: never early, late within a bound\n";
$futures = $started = [];
$delays = [0.05, 0.2, 0.5, 1.0, 0.01, 0.3, 0.7, 0.1];
foreach ($delays as $i => $delay) {
    $started[$i] = microtime(true);
    $futures[$i] = (new Task($run, $dir, "d-$i"))->delay($delay)->dispatch();
}
$late = [];
foreach (AsyncTask\Future::all($futures, 20) as $i => [$at, $node]) {
    if ($at < $started[$i] + $delays[$i]) {
        printf("task %d ran %.4f s early\n", $i, $started[$i] + $delays[$i] - $at);
    }
    $late[] = $at - ($started[$i] + $delays[$i]);
}
sort($late);
// the move step runs every 50 ms (protocol.h); a loaded 2-CPU machine gets 1 s
var_dump(max($late) < 1.0);

echo "-- cancel\n";
$c = (new Task($run, $dir, 'cancelled'))->delay(0.4)->dispatch();
var_dump($c->cancel());
usleep(900000);
var_dump(file_exists("$dir/ran-cancelled"), redisCommand('ZCARD', $set));
echo preg_replace('/task [0-9a-f]{32}/', 'task ID', (function () use ($c) {
    try { $c->wait(1); return 'no exception'; } catch (AsyncTask\Exception $e) { return get_class($e) . ': ' . $e->getMessage(); }
})()), "\n";

echo "-- the node dies while tasks wait; another runs them\n";
$t1 = microtime(true);
$waiting = [];
for ($i = 0; $i < 4; $i++) {
    $waiting[$i] = (new Task($run, $dir, "w-$i"))->delay(1.0)->dispatch();
}
e2e_kill_tree($pida);
e2e_reap($pa, 5);
var_dump(redisCommand('ZCARD', $set));
usleep(1200000);     // past the due time, no node: they wait
var_dump(redisCommand('ZCARD', $set) + redisCommand('XLEN', "$prefix:q:default") >= 4);
[$pb, $pidb] = e2e_node($dir, 'b', $ini);
$ok = true;
foreach (AsyncTask\Future::all($waiting, 20) as $i => [$at, $node]) {
    $ok = $ok && $at >= $t1 + 1.0 && $node === 'b';
}
var_dump($ok, redisCommand('ZCARD', $set), redisCommand('HLEN', "$set:t"));
// each ran once
$runs = 0;
foreach (glob("$dir/ran-*") as $f) {
    $runs += count(file($f));
}
var_dump($runs);
posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pb));
asynctask_test_rmdir($dir);
?>
--EXPECT--
-- no node yet
int(5)
int(0)
bool(true)
int(0)
-- a node runs: never early, late within a bound
bool(true)
-- cancel
bool(true)
bool(false)
int(0)
AsyncTask\Exception: task ID was cancelled before it ran
-- the node dies while tasks wait; another runs them
int(4)
bool(true)
bool(true)
int(0)
int(0)
int(17)
int(0)
