--TEST--
Redis named queues end to end: a task for a queue no node serves waits in Redis (a node serving other queues leaves it alone) until a node that serves it starts and runs it; on a node serving "default:1,mail:1" whose default worker is held busy, mail tasks still run at once and the default tasks waiting behind it stay in Redis, not taken (no hoarding, no starvation); once default's worker is free again a default task runs at once (the node's blocked read watches default again); two nodes serving different queues each take only their own
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

$dir = asynctask_test_dir('e2e-queues');
$ini = e2e_ini('queues');
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
$where = fn () => [AsyncTask\context()->node(), AsyncTask\context()->queue()];

echo "-- a queue nobody serves waits\n";
$report = (new Task($where))->onQueue('reports')->dispatch();
[$pa, $pida] = e2e_node($dir, 'a', $ini + ['asynctask.queues' => 'default:1,mail:1']);
var_dump((new Task($where))->onQueue('mail')->dispatch()->wait(20));
usleep(300000);
var_dump($report->isDone(), redisCommand('XLEN', "$prefix:q:reports"), redisCommand('EXISTS', "$prefix:q:reports:high"));
[$pb, $pidb] = e2e_node($dir, 'b', $ini + ['asynctask.queues' => 'reports:1']);
var_dump($report->wait(20));

echo "-- no starvation: mail runs while default's one worker is busy\n";
$blocker = AsyncTask\dispatch(function (string $dir) {
    touch("$dir/blocking");
    while (!file_exists("$dir/go")) {
        usleep(10000);
    }
    return 'unblocked';
}, $dir);
var_dump(asynctask_test_wait_for("$dir/blocking"));
$waiting = [AsyncTask\dispatch('strlen', 'one'), AsyncTask\dispatch('strlen', 'three')];
$mail = [];
$started = microtime(true);
for ($i = 0; $i < 3; $i++) {
    $mail[] = (new Task(fn (int $i) => "mail $i", $i))->onQueue('mail')->dispatch();
}
var_dump(AsyncTask\Future::all($mail, 20));
$took = microtime(true) - $started;
var_dump($took < 10, file_exists("$dir/go"), $blocker->isDone());
// the default tasks behind the blocker are not taken by the busy node: in its stream, not pending
var_dump(redisCommand('XLEN', "$prefix:q:default"), redisCommand('XPENDING', "$prefix:q:default", 'nodes')[0]);
touch("$dir/go");
var_dump($blocker->wait(20), AsyncTask\Future::all($waiting, 20));

echo "-- default's worker comes free while the node waits on mail only: default is watched again at once\n";
// protocol.h: the node ends its blocked read on mail (CLIENT UNBLOCK) to block on default's streams too
$unblocks = function (): int {
    preg_match('/^cmdstat_client\|unblock:calls=(\d+)/m', redisCommand('INFO', 'commandstats'), $m);
    return (int) ($m[1] ?? 0);
};
$before = $unblocks();
$fast = 0;
for ($r = 0; $r < 5; $r++) {
    AsyncTask\dispatch('usleep', 50000)->wait(20);   // default busy: the node blocks on mail's streams only
    usleep(100000);
    $t = microtime(true);
    AsyncTask\dispatch('strlen', 'x')->wait(20);
    $fast += microtime(true) - $t < 0.4;
}
var_dump($fast >= 3, $unblocks() > $before);

echo "-- two nodes, each its own queues\n";
$futures = [];
for ($i = 0; $i < 4; $i++) {
    $futures[] = (new Task($where))->onQueue('mail')->dispatch();
    $futures[] = (new Task($where))->onQueue('reports')->dispatch();
}
$seen = [];
foreach (AsyncTask\Future::all($futures, 30) as [$node, $queue]) {
    $seen["$queue on $node"] = ($seen["$queue on $node"] ?? 0) + 1;
}
ksort($seen);
var_dump($seen);

posix_kill($pida, SIGTERM);
posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pa), e2e_reap($pb));
foreach (redisCommand('KEYS', "$prefix:*") as $key) {
    redisCommand('DEL', $key);
}
asynctask_test_rmdir($dir);
?>
--EXPECT--
-- a queue nobody serves waits
array(2) {
  [0]=>
  string(1) "a"
  [1]=>
  string(4) "mail"
}
bool(false)
int(1)
int(0)
array(2) {
  [0]=>
  string(1) "b"
  [1]=>
  string(7) "reports"
}
-- no starvation: mail runs while default's one worker is busy
bool(true)
array(3) {
  [0]=>
  string(6) "mail 0"
  [1]=>
  string(6) "mail 1"
  [2]=>
  string(6) "mail 2"
}
bool(true)
bool(false)
bool(false)
int(3)
int(1)
string(9) "unblocked"
array(2) {
  [0]=>
  int(3)
  [1]=>
  int(5)
}
-- default's worker comes free while the node waits on mail only: default is watched again at once
bool(true)
bool(true)
-- two nodes, each its own queues
array(2) {
  ["mail on a"]=>
  int(4)
  ["reports on b"]=>
  int(4)
}
int(0)
int(0)
