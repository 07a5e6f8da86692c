--TEST--
Redis nodes: a node SIGKILLed mid-run (its manager, workers and script) leaves its tasks pending; a second node reclaims them past asynctask.visibility_timeout and runs them again (context()->attempt() 2), serves what the first never took (attempt 1), and every task ends with exactly one result; while the first node lived, its long tasks were not reclaimed (their entries kept fresh); stats() of the second counts the entries it reclaimed
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

$dir = asynctask_test_dir('node_reclaim');
$prefix = node_test_setup('reclaim');
$stream = "$prefix:q:default";
$reply = "$prefix:r:test";
$ini = ['asynctask.workers' => 2, 'asynctask.visibility_timeout' => '0.5', 'asynctask.shutdown_timeout' => 10];

// node a: a script that started a node and waits; it says where its manager is
file_put_contents("$dir/start.php", '<?php
AsyncTask\Pool::start();
echo "manager ", AsyncTask\Pool::stats()["manager_pid"], "\n";
sleep(120);
');
$a = node_test_spawn($prefix, "$dir/start.php", $ini + ['asynctask.node' => 'a', 'asynctask.log' => "$dir/log-a"]);
$m = node_test_read_match($a, '/manager (\d+)\n/');
$manager = (int) ($m[1] ?? 0);
// (never kill(0) or kill(-1): that would be the test runner's group, or everything)
var_dump($manager > 1);
if ($manager <= 1) {
    exit("node a did not say where its manager is: {$a['seen']}\n");
}

// on node a the tasks hang (for longer than visibility_timeout); run again, they return
$task = function (string $dir, int $n) {
    $c = AsyncTask\context();
    if ($c->node() === 'a') {
        touch("$dir/started-$n");
        sleep(60);
    }
    return "task $n, attempt {$c->attempt()} on {$c->node()}";
};
$ids = [];
for ($n = 0; $n < 3; $n++) {
    $ids[$n] = node_test_dispatch($prefix, [], $task, $dir, $n)[0];
}
var_dump(asynctask_test_wait_for("$dir/started-0") && asynctask_test_wait_for("$dir/started-1"));
// three visibility timeouts later, node a (alive) still holds both: nobody reclaimed them
usleep(1500000);
$pending = redisCommand('XPENDING', $stream, 'nodes', '-', '+', '10');
var_dump(count($pending), array_unique(array_column($pending, 1)), array_column($pending, 3));
$ok = count($pending) === 2 && array_column($pending, 3) === [1, 1];

// node a dies at once, all of it: the manager leads the process group of its workers
posix_kill(-$manager, SIGKILL);
posix_kill($a['pid'], SIGKILL);
node_test_reap($a);

// node b: this process
ini_set('asynctask.node', 'b');
ini_set('asynctask.visibility_timeout', '0.5');
ini_set('asynctask.log', "$dir/log");
AsyncTask\Pool::start(2);
$results = node_test_results($reply, 3, 30);
foreach ($ids as $n => $id) {
    echo $results[$id]['value'] ?? 'no result', "\n";
    $ok = $ok && isset($results[$id]);
}
var_dump(redisCommand('LLEN', $reply), redisCommand('XLEN', $stream), redisCommand('XPENDING', $stream, 'nodes')[0]);
var_dump(node_test_dead($prefix));
// b counted what it took over
var_dump($reclaimed = node_test_until(fn () => AsyncTask\Pool::stats()['reclaimed'] === 2, 5));
if (!$ok || !$reclaimed) {
    // what a failure needs to be understood (CI saw this test pass only when retried, once)
    echo "--- pending while a lived: ", json_encode($pending), "\n--- results: ", json_encode($results),
        "\n--- b's stats: ", json_encode(AsyncTask\Pool::stats()), "\n--- a's output: {$a['seen']}\n--- a's log:\n",
        @file_get_contents("$dir/log-a"), "--- b's log:\n", @file_get_contents("$dir/log");
}
AsyncTask\Pool::stop();
?>
--EXPECT--
bool(true)
bool(true)
int(2)
array(1) {
  [0]=>
  string(1) "a"
}
array(2) {
  [0]=>
  int(1)
  [1]=>
  int(1)
}
task 0, attempt 2 on b
task 1, attempt 2 on b
task 2, attempt 1 on b
int(0)
int(0)
int(0)
array(0) {
}
bool(true)
