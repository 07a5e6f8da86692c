--TEST--
Redis Task::delay() with two nodes (separate process trees) running the move step side by side: each of 300 delayed tasks (delays 1 ms to 0.6 s, mixed priorities) is moved into its stream once and runs exactly once, none early; the delayed set and its hash end empty, every member got one moved key, nothing is dead-lettered
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

$dir = asynctask_test_dir('e2e-delay-nodes');
$ini = e2e_ini('delay-nodes');
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
$set = "$prefix:delayed:default";
[$pa, $pida] = e2e_node($dir, 'a', $ini);
[$pb, $pidb] = e2e_node($dir, 'b', $ini);

$run = function (string $dir, int $i) {
    file_put_contents("$dir/runs", "$i\n", FILE_APPEND | LOCK_EX);
    return microtime(true);
};
$futures = $due = [];
mt_srand(11);
for ($i = 0; $i < 300; $i++) {
    $delay = mt_rand(1, 600) / 1000;
    $due[$i] = microtime(true) + $delay;
    $futures[$i] = (new Task($run, $dir, $i))->delay($delay)->withPriority(mt_rand(-1, 1))->dispatch();
}
$early = 0;
foreach (AsyncTask\Future::all($futures, 60) as $i => $at) {
    $early += $at < $due[$i] ? 1 : 0;
}
$runs = array_count_values(array_map('intval', file("$dir/runs")));
var_dump($early, count($runs), max($runs));
var_dump(redisCommand('ZCARD', $set), redisCommand('HLEN', "$set:t"), count(redisCommand('KEYS', "$set:moved:*")));
var_dump(redisCommand('XLEN', "$prefix:dead"));
posix_kill($pida, SIGTERM);
posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pa), e2e_reap($pb));
asynctask_test_rmdir($dir);
?>
--EXPECT--
int(0)
int(300)
int(1)
int(0)
int(0)
int(300)
int(0)
int(0)
int(0)
