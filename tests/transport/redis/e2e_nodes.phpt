--TEST--
Redis backend end to end: tasks dispatched before any node runs wait for the first; two nodes (separate process trees, asynctask.node a and b) share one stream: every one of 2,000 tasks runs exactly once, both nodes serve some; a node SIGKILLed (its whole process tree) while running tasks: a live node reclaims them past visibility_timeout and every Future settles with its value, the reclaimed ones at attempt 2
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';
$dir = asynctask_test_dir('e2e-nodes');
$ini = e2e_ini('nodes', ['asynctask.visibility_timeout' => '1']);
e2e_dispatcher($ini);

// before any node
$early = [];
for ($i = 0; $i < 10; $i++) {
    $early[] = AsyncTask\dispatch(fn($i) => $i * 2, $i);
}
[$pa, $pida] = e2e_node($dir, 'a', $ini);
[$pb, $pidb] = e2e_node($dir, 'b', $ini);
var_dump(array_sum(AsyncTask\Future::all($early, 20)));

// load-balanced, each exactly once
$futures = [];
for ($i = 0; $i < 2000; $i++) {
    $futures[] = AsyncTask\dispatch(fn($i) => [$i, AsyncTask\context()->node(), AsyncTask\context()->id()], $i);
}
$byNode = ['a' => 0, 'b' => 0];
$seen = [];
foreach (AsyncTask\Future::all($futures, 60) as $k => [$i, $node, $id]) {
    if ($i !== $k || $id !== $futures[$k]->id()) {
        echo "task $k came back as $i / $id\n";
    }
    $byNode[$node]++;
    $seen[$id] = true;
}
var_dump(count($seen), $byNode['a'] + $byNode['b'], $byNode['a'] > 0, $byNode['b'] > 0);

// node a dies with tasks in hand: they run again on b
$slow = [];
for ($i = 0; $i < 8; $i++) {
    $slow[] = AsyncTask\dispatch(function ($i, $dir) {
        touch("$dir/started-" . AsyncTask\context()->node() . "-$i-" . AsyncTask\context()->attempt());
        usleep(400000);
        return [$i, AsyncTask\context()->node(), AsyncTask\context()->attempt()];
    }, $i, $dir);
}
// kill a once it holds some of them (a slow dispatcher, under valgrind, must not let b take all first)
for ($until = microtime(true) + 20; !glob("$dir/started-a-*") && microtime(true) < $until; ) {
    usleep(10000);
}
var_dump(count(glob("$dir/started-a-*")) > 0);
e2e_kill_tree($pida);
e2e_reap($pa, 5);
$attempts = [];
foreach (AsyncTask\Future::all($slow, 30) as $k => [$i, $node, $attempt]) {
    if ($i !== $k || $node !== 'b') {
        echo "task $k: $i on $node\n";
    }
    $attempts[$attempt] = ($attempts[$attempt] ?? 0) + 1;
}
ksort($attempts);
var_dump(array_sum($attempts), isset($attempts[2]), array_keys($attempts) <= [1, 2]);

posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pb));
asynctask_test_rmdir($dir);
?>
--EXPECT--
int(90)
int(2000)
int(2000)
bool(true)
bool(true)
bool(true)
int(8)
bool(true)
bool(true)
int(0)
