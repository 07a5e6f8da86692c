--TEST--
Redis retries and chains survive a node SIGKILLed: a task waiting for its retry (in the queue's delayed set, its failed entry acknowledged) runs its next attempt on another node once due; a chain whose node dies while a link runs loses nothing: the link's entry is reclaimed past visibility_timeout and runs again on another node (attempt 2: at-least-once for the unfinished link), the links that had finished never run again, and the chain ends with the right value
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

$dir = asynctask_test_dir('e2e-jobs-killed');
$ini = e2e_ini('jobskilled', ['asynctask.visibility_timeout' => '0.5']);
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
[$pa, $pida] = e2e_node($dir, 'a', $ini);

// a task that fails on its first run and waits 1.5 s for its second
$retried = (new Task(function (string $dir) {
    $c = AsyncTask\context();
        file_put_contents("$dir/runs", "retried {$c->node()} {$c->attempt()}\n", FILE_APPEND);
    if ($c->attempt() === 1) {
        throw new RuntimeException('first run fails');
    }
    return [$c->node(), $c->attempt()];
}, $dir))->withRetries(2, [1.5])->dispatch();

// a chain whose second link hangs on node a
$chain = (new Task(function (string $dir) {
    $c = AsyncTask\context();
    file_put_contents("$dir/runs", "link1 {$c->node()} {$c->attempt()}\n", FILE_APPEND);
    return 'one';
}, $dir))
    ->then(new Task(function (string $previous, string $dir) {
        $c = AsyncTask\context();
        file_put_contents("$dir/runs", "link2 {$c->node()} {$c->attempt()}\n", FILE_APPEND);
        if ($c->node() === 'a') {
            touch("$dir/hanging");
            sleep(60);
        }
        return "$previous two";
    }, $dir))
    ->then(new Task(function (string $previous, string $dir) {
        $c = AsyncTask\context();
        file_put_contents("$dir/runs", "link3 {$c->node()} {$c->attempt()}\n", FILE_APPEND);
        return "$previous three ({$c->node()}, attempt {$c->attempt()})";
    }, $dir))
    ->dispatch();

var_dump(asynctask_test_wait_for("$dir/hanging"));
for ($until = microtime(true) + 30; redisCommand('ZCARD', "$prefix:delayed:default") < 1 && microtime(true) < $until; ) {
    usleep(10000);
}
var_dump(redisCommand('ZCARD', "$prefix:delayed:default"));
e2e_kill_tree($pida);
e2e_reap($pa, 5);
echo "-- node a killed; node b starts\n";
[$pb, $pidb] = e2e_node($dir, 'b', $ini);
var_dump($retried->wait(60));
var_dump($chain->wait(60));
$runs = file("$dir/runs", FILE_IGNORE_NEW_LINES);
sort($runs);
echo implode("\n", $runs), "\n";
var_dump(redisCommand('ZCARD', "$prefix:delayed:default"), redisCommand('XLEN', "$prefix:q:default"));

posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pb));
asynctask_test_rmdir($dir);
?>
--EXPECT--
bool(true)
int(1)
-- node a killed; node b starts
array(2) {
  [0]=>
  string(1) "b"
  [1]=>
  int(2)
}
string(28) "one two three (b, attempt 1)"
link1 a 1
link2 a 1
link2 b 2
link3 b 1
retried a 1
retried b 2
int(0)
int(0)
int(0)
