--TEST--
Redis named queues with priorities, delays and reclaim: on a node serving "reports:1" whose worker is held busy, the reports tasks waiting run HIGH first, then NORMAL, then LOW (a delayed HIGH one, once due, moved from {prefix}:delayed:reports into {prefix}:q:reports:high, before the NORMAL ones), each with context()->queue() "reports"; a reports task whose node was SIGKILLed while running it is reclaimed from its queue's stream by a node that serves that queue and runs again (attempt 2); a reports task whose worker died runs again at once from its stream, one that always kills its worker is dead-lettered with its stream named
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

$dir = asynctask_test_dir('e2e-qjobs');
$ini = e2e_ini('qjobs', ['asynctask.visibility_timeout' => '0.5']);
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
[$pa, $pida] = e2e_node($dir, 'a', $ini + ['asynctask.queues' => 'reports:1']);

$blocker = (new Task(function (string $dir) {
    touch("$dir/blocking");
    while (!file_exists("$dir/go")) {
        usleep(10000);
    }
    return AsyncTask\context()->queue();
}, $dir))->onQueue('reports')->dispatch();
var_dump(asynctask_test_wait_for("$dir/blocking"));

$log = function (string $dir, string $name) {
    file_put_contents("$dir/order", "$name " . AsyncTask\context()->queue() . "\n", FILE_APPEND);
    return $name;
};
$futures = [];
$levels = [Task::LOW => 'low', Task::NORMAL => 'normal', Task::HIGH => 'high'];
for ($i = 1; $i <= 2; $i++) {
    foreach ([Task::LOW, Task::NORMAL, Task::HIGH] as $p) {
        $futures[] = (new Task($log, $dir, "$levels[$p]-$i"))->onQueue('reports')->withPriority($p)->dispatch();
    }
}
$futures[] = (new Task($log, $dir, 'high-delayed'))->onQueue('reports')->delay(0.2)->withPriority(Task::HIGH)->dispatch();
var_dump(redisCommand('ZCARD', "$prefix:delayed:reports"));
for ($until = microtime(true) + 10; redisCommand('XLEN', "$prefix:q:reports:high") < 3 && microtime(true) < $until; ) {
    usleep(20000);
}
var_dump(redisCommand('XLEN', "$prefix:q:reports:high"), redisCommand('XLEN', "$prefix:q:reports"),
    redisCommand('XLEN', "$prefix:q:reports:low"), redisCommand('ZCARD', "$prefix:delayed:reports"),
    redisCommand('EXISTS', "$prefix:q:default:high"));
touch("$dir/go");
var_dump($blocker->wait(10));
AsyncTask\Future::all($futures, 20);
echo file_get_contents("$dir/order");

echo "-- reclaim of a reports entry\n";
$hang = (new Task(function (string $dir) {
    $c = AsyncTask\context();
    if ($c->node() === 'a') {
        touch("$dir/hanging");
        sleep(60);
    }
    return [$c->node(), $c->attempt(), $c->queue()];
}, $dir))->onQueue('reports')->dispatch();
var_dump(asynctask_test_wait_for("$dir/hanging"));
e2e_kill_tree($pida);
e2e_reap($pa, 5);
[$pc, $pidc] = e2e_node($dir, 'c', $ini + ['asynctask.queues' => 'default:1,reports:1']);
var_dump($hang->wait(20));
var_dump(redisCommand('XLEN', "$prefix:q:reports"), redisCommand('XPENDING', "$prefix:q:reports", 'nodes')[0]);

echo "-- a reports task whose worker died runs again at once; one that always dies is dead-lettered from its stream\n";
$crash = (new Task(function () {
    if (AsyncTask\context()->attempt() === 1) {
        exec('kill -9 ' . getmypid());
    }
    return [AsyncTask\context()->attempt(), AsyncTask\context()->queue()];
}))->onQueue('reports')->dispatch();
var_dump($crash->wait(20));
$poison = (new Task(fn () => exec('kill -9 ' . getmypid())))->onQueue('reports')->withPriority(Task::LOW)->dispatch();
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
var_dump(count($dead), ($fields['stream'] ?? null) === "$prefix:q:reports:low");
posix_kill($pidc, SIGTERM);
var_dump(e2e_reap($pc));
foreach (redisCommand('KEYS', "$prefix:*") as $key) {
    redisCommand('DEL', $key);
}
asynctask_test_rmdir($dir);
?>
--EXPECT--
bool(true)
int(1)
int(3)
int(3)
int(2)
int(0)
int(0)
string(7) "reports"
high-1 reports
high-2 reports
high-delayed reports
normal-1 reports
normal-2 reports
low-1 reports
low-2 reports
-- reclaim of a reports entry
bool(true)
array(3) {
  [0]=>
  string(1) "c"
  [1]=>
  int(2)
  [2]=>
  string(7) "reports"
}
int(0)
int(0)
-- a reports task whose worker died runs again at once; one that always dies is dead-lettered from its stream
array(2) {
  [0]=>
  int(2)
  [1]=>
  string(7) "reports"
}
AsyncTask\WorkerCrashedException
int(1)
bool(true)
int(0)
