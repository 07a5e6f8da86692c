--TEST--
Redis dispatch of job options (protocol.h): withPriority() puts HIGH tasks on {prefix}:q:default:high and LOW ones on :low (NORMAL stays on {prefix}:q:default); delay() puts the signed task in the hash {prefix}:delayed:default:t and its member "<level>:<id>" in the sorted set {prefix}:delayed:default, due at Redis' own TIME + the delay (ms, rounded up), never in a stream; cancel() of a delayed task takes it out of both (true, wait() says cancelled), of one a node moved into its stream (the moved key names the entry) deletes the entry (true), and of one a node took is false; cancel() of a HIGH task takes it off the :high stream
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use AsyncTask\Task;
use function AsyncTask\Testing\{redisCommand, wireDecode};

[$secret, $prefix] = dispatch_test_setup('jobs');
$q = "$prefix:q:default";
$set = "$prefix:delayed:default";
$hash = "$set:t";

echo "-- priorities: a stream per level\n";
$high = (new Task('strlen', 'high'))->withPriority(Task::HIGH)->dispatch();
$low = (new Task('strlen', 'low'))->withPriority(Task::LOW)->dispatch();
$normal = (new Task('strlen', 'normal'))->withPriority(Task::NORMAL)->dispatch();
var_dump(redisCommand('XLEN', "$q:high"), redisCommand('XLEN', $q), redisCommand('XLEN', "$q:low"));
$e = redisCommand('XRANGE', "$q:high", '-', '+');
var_dump(wireDecode($e[0][1][1], 'task', $secret)['id'] === $high->id());
var_dump($high->cancel(), redisCommand('XLEN', "$q:high"), $low->cancel(), redisCommand('XLEN', "$q:low"));

echo "-- a delay: in the set, due at Redis' clock + the delay\n";
$time = redisCommand('TIME');
$before = (int) $time[0] * 1000 + intdiv((int) $time[1], 1000);
$d = (new Task('strlen', 'later'))->delay(2.5)->withPriority(Task::HIGH)->dispatch();
$time = redisCommand('TIME');
$after = (int) $time[0] * 1000 + intdiv((int) $time[1], 1000) + 1;
$member = 'h:' . $d->id();
$score = (float) redisCommand('ZSCORE', $set, $member);
var_dump($score >= $before + 2500, $score <= $after + 2500);
$task = wireDecode(redisCommand('HGET', $hash, $member), 'task', $secret);
var_dump($task['id'] === $d->id(), redisCommand('XLEN', "$q:high"));
$low2 = (new Task('strlen', 'low later'))->delay(0.0001)->withPriority(Task::LOW)->dispatch();
var_dump(redisCommand('ZRANGE', $set, '0', '-1'));   // the 0.1 ms delay rounds up to 1 ms: first

echo "-- cancel while it waits in the set\n";
var_dump($d->cancel(), redisCommand('ZCARD', $set), redisCommand('HEXISTS', $hash, $member), $d->cancel());
echo preg_replace('/task [0-9a-f]{32}/', 'task ID', outcome(fn () => $d->wait(1))), "\n";

echo "-- cancel after a node moved it (as the move step does) and before it was taken\n";
$m = 'l:' . $low2->id();
$entry = redisCommand('XADD', "$q:low", '*', 't', redisCommand('HGET', $hash, $m));
redisCommand('ZREM', $set, $m);
redisCommand('HDEL', $hash, $m);
redisCommand('SET', "$set:moved:$m", $entry, 'PX', '60000');
var_dump($low2->cancel(), redisCommand('XLEN', "$q:low"), redisCommand('EXISTS', "$set:moved:$m"));

echo "-- moved and taken: false, the node's result settles it\n";
$late = (new Task('strlen', 'taken'))->delay(0.001)->dispatch();
$m = 'n:' . $late->id();
$entry = redisCommand('XADD', $q, '*', 't', redisCommand('HGET', $hash, $m));
redisCommand('ZREM', $set, $m);
redisCommand('HDEL', $hash, $m);
redisCommand('SET', "$set:moved:$m", $entry, 'PX', '60000');
$taken = node_take($prefix, $secret);
var_dump(count($taken), $late->cancel());
foreach ($taken as $id => $t) {
    if ($t['id'] === $late->id()) {
        node_return($t, $secret, 5);
    }
}
var_dump($late->wait(5));
$stats = AsyncTask\Pool::stats();
var_dump($stats['dispatched'], $stats['cancelled']);
?>
--EXPECTF--
-- priorities: a stream per level
int(1)
int(1)
int(1)
bool(true)
bool(true)
int(0)
bool(true)
int(0)
-- a delay: in the set, due at Redis' clock + the delay
bool(true)
bool(true)
bool(true)
int(0)
array(2) {
  [0]=>
  string(34) "l:%s"
  [1]=>
  string(34) "h:%s"
}
-- cancel while it waits in the set
bool(true)
int(1)
int(0)
bool(false)
AsyncTask\Exception: task ID was cancelled before it ran
-- cancel after a node moved it (as the move step does) and before it was taken
bool(true)
int(0)
int(0)
-- moved and taken: false, the node's result settles it
int(2)
bool(false)
int(5)
int(6)
int(4)
