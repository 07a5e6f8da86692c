--TEST--
Redis Task::withPriority() end to end: on a node whose one worker is held busy, waiting tasks run HIGH first, then NORMAL, then LOW, in dispatch order within a level (and a delayed HIGH task, once due, before the waiting NORMAL ones); a HIGH task whose worker died runs again at once from the :high stream, a LOW one that always kills its worker is dead-lettered after max_attempts with the :low stream named in {prefix}:dead; a HIGH task whose node was SIGKILLed while running it is reclaimed from the :high stream by another node past visibility_timeout and runs again (attempt 2)
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

$dir = asynctask_test_dir('e2e-prio');
$ini = e2e_ini('prio', ['asynctask.visibility_timeout' => '0.5']);
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
[$pa, $pida] = e2e_node($dir, 'a', $ini, 1);

$blocker = AsyncTask\dispatch(function (string $dir) {
    touch("$dir/blocking");
    while (!file_exists("$dir/go")) {
        usleep(10000);
    }
    return 'unblocked';
}, $dir);
var_dump(asynctask_test_wait_for("$dir/blocking"));

$log = function (string $dir, string $name) {
    file_put_contents("$dir/order", "$name\n", FILE_APPEND);
    return $name;
};
$futures = [];
$levels = [Task::LOW => 'low', Task::NORMAL => 'normal', Task::HIGH => 'high'];
for ($i = 1; $i <= 3; $i++) {
    foreach ([Task::LOW, Task::NORMAL, Task::HIGH] as $p) {
        $futures[] = (new Task($log, $dir, "$levels[$p]-$i"))->withPriority($p)->dispatch();
    }
}
$futures[] = (new Task($log, $dir, 'high-delayed'))->delay(0.2)->withPriority(Task::HIGH)->dispatch();
// the delayed one is due and moved into the :high stream (NORMAL's holds the blocker too)
for ($until = microtime(true) + 10; redisCommand('XLEN', "$prefix:q:default:high") < 4 && microtime(true) < $until; ) {
    usleep(20000);
}
var_dump(redisCommand('XLEN', "$prefix:q:default:high"), redisCommand('XLEN', "$prefix:q:default"),
    redisCommand('XLEN', "$prefix:q:default:low"));
touch("$dir/go");
var_dump($blocker->wait(10));
AsyncTask\Future::all($futures, 20);
echo file_get_contents("$dir/order");

echo "-- a HIGH task whose worker died runs again from :high; a LOW one that always dies is dead-lettered from :low\n";
$crash = (new Task(function () {
    if (AsyncTask\context()->attempt() === 1) {
        exec('kill -9 ' . getmypid());
    }
    return AsyncTask\context()->attempt();
}))->withPriority(Task::HIGH)->dispatch();
var_dump($crash->wait(20));
$poison = (new Task(fn () => exec('kill -9 ' . getmypid())))->withPriority(Task::LOW)->dispatch();
try {
    $poison->wait(30);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo get_class($e), "\n";
}
$dead = redisCommand('XRANGE', "$prefix:dead", '-', '+');
$fields = [];
for ($i = 0; $i + 1 < count($dead[0][1] ?? []); $i += 2) {
    $fields[$dead[0][1][$i]] = $dead[0][1][$i + 1];
}
var_dump(count($dead), ($fields['stream'] ?? null) === "$prefix:q:default:low", $fields['attempts'] ?? null);

echo "-- reclaim of a HIGH entry\n";
$hang = (new Task(function (string $dir) {
    $c = AsyncTask\context();
    if ($c->node() === 'a') {
        touch("$dir/hanging");
        sleep(60);
    }
    return [$c->node(), $c->attempt()];
}, $dir))->withPriority(Task::HIGH)->dispatch();
var_dump(asynctask_test_wait_for("$dir/hanging"));
e2e_kill_tree($pida);
e2e_reap($pa, 5);
[$pb, $pidb] = e2e_node($dir, 'b', $ini, 1);
var_dump($hang->wait(20));
var_dump(redisCommand('XLEN', "$prefix:q:default:high"), redisCommand('XPENDING', "$prefix:q:default:high", 'nodes')[0]);
posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pb));
asynctask_test_rmdir($dir);
?>
--EXPECT--
bool(true)
int(4)
int(4)
int(3)
string(9) "unblocked"
high-1
high-2
high-3
high-delayed
normal-1
normal-2
normal-3
low-1
low-2
low-3
-- a HIGH task whose worker died runs again from :high; a LOW one that always dies is dead-lettered from :low
int(2)
AsyncTask\WorkerCrashedException
int(1)
bool(true)
string(1) "3"
-- reclaim of a HIGH entry
bool(true)
array(2) {
  [0]=>
  string(1) "b"
  [1]=>
  int(2)
}
int(0)
int(0)
int(0)
