--TEST--
Redis backend end to end: three nodes (separate process trees, asynctask.node a, b and c, 2 workers each) share one stream; every one of 5,000 tasks runs exactly once (each run is written down by the task itself, so a second run of one would show) and returns its value, and each of the three nodes ran some; then each node stops on SIGTERM and returns
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';
use function AsyncTask\Testing\redisCommand;

const TASKS = 5000;
$dir = asynctask_test_dir('e2e-three-nodes');
$ini = e2e_ini('three-nodes');
e2e_dispatcher($ini);
$stream = $ini['asynctask.prefix'] . ':q:default';

$nodes = [];
foreach (['a', 'b', 'c'] as $name) {
    $nodes[$name] = e2e_node($dir, $name, $ini);
}
// every node is in the group before the tasks come (a slow start must not leave one out)
$consumers = function () use ($stream): array {
    try {
        return array_map(fn ($c) => $c[1], redisCommand('XINFO', 'CONSUMERS', $stream, 'nodes'));
    } catch (Throwable) {
        return [];   // no stream or group yet
    }
};
$until = microtime(true) + 60;
while (count(array_intersect(['a', 'b', 'c'], $consumers())) < 3 && microtime(true) < $until) {
    // a node joins the group when it first reads: a task for each to find
    AsyncTask\Future::all([AsyncTask\dispatch(fn () => 1)], 30);
    usleep(50000);
}
var_dump(count(array_intersect(['a', 'b', 'c'], $consumers())));

$futures = [];
for ($i = 0; $i < TASKS; $i++) {
    $futures[] = AsyncTask\dispatch(function ($i, $dir) {
        $node = AsyncTask\context()->node();
        file_put_contents("$dir/ran-$node", "$i\n", FILE_APPEND | LOCK_EX);
        return [$i, $node];
    }, $i, $dir);
}
$wrong = 0;
$byResult = ['a' => 0, 'b' => 0, 'c' => 0];
foreach (AsyncTask\Future::all($futures, 600) as $k => [$i, $node]) {
    $wrong += $i !== $k;
    $byResult[$node]++;
}
var_dump($wrong, array_sum($byResult));

// what the tasks wrote: each index once, on the node its result names
$runs = [];
$byRun = [];
foreach (['a', 'b', 'c'] as $name) {
    $lines = file_exists("$dir/ran-$name") ? file("$dir/ran-$name", FILE_IGNORE_NEW_LINES) : [];
    $byRun[$name] = count($lines);
    foreach ($lines as $line) {
        $runs[(int) $line] = ($runs[(int) $line] ?? 0) + 1;
    }
}
ksort($runs);
var_dump(count($runs), array_sum($runs), array_keys($runs) === range(0, TASKS - 1), max($runs));
var_dump($byRun === $byResult, min($byRun) > 0);
echo "spread: ", json_encode($byRun), "\n";

foreach ($nodes as [$proc, $pid]) {
    posix_kill($pid, SIGTERM);
}
foreach ($nodes as $name => [$proc]) {
    echo "$name: ", var_export(e2e_reap($proc, 60), true), "\n";
}
asynctask_test_rmdir($dir);
?>
--EXPECTF--
int(3)
int(0)
int(5000)
int(5000)
int(5000)
bool(true)
int(1)
bool(true)
bool(true)
spread: {"a":%d,"b":%d,"c":%d}
a: 0
b: 0
c: 0
