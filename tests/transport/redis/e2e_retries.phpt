--TEST--
Redis Task::withRetries() end to end: a task that throws runs again on the nodes (not in the caller), context()->attempt() one higher each run, and its Future settles once with the first success; backoff measured in the task (microtime() at each run's start): exponential with equal jitter within [d/2, d] and a list exactly, never early; a task whose retries run out fails with TaskFailedException saying how many attempts (getAttempts()) and getPrevious() holding the remote previous chain; a run whose worker dies (SIGKILL) or passes its time limit is retried too, and one that always crashes ends with WorkerCrashedException after its attempts; a retry waits in the queue's delayed set (not on a node), the entry that failed is acknowledged; cancel() of a task waiting for its retry (dispatched with a delay or not) takes it out of the set: true, it never runs again
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

$dir = asynctask_test_dir('e2e-retries');
$ini = e2e_ini('retries');
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
[$pa, $pida] = e2e_node($dir, 'a', $ini + ['asynctask.workers' => 3]);

// each run notes its start and attempt; fails until attempt $runs
$record = function (string $file, int $runs, string $how = 'throw') {
    $attempt = AsyncTask\context()->attempt();
    file_put_contents($file, microtime(true) . " $attempt\n", FILE_APPEND);
    if ($attempt < $runs) {
        if ($how === 'kill') {
            exec('kill -9 ' . getmypid());   // (nodes run without the posix extension)
        }
        if ($how === 'sleep') {
            sleep(30);
        }
        throw new RuntimeException("attempt $attempt", 7, new LogicException('the cause', 3));
    }
    return $attempt;
};
function runs(string $file): array
{
    return array_map(fn ($l) => explode(' ', $l), file($file, FILE_IGNORE_NEW_LINES));
}
function gaps(string $file): array
{
    $r = runs($file);
    $gaps = [];
    for ($i = 1; $i < count($r); $i++) {
        $gaps[] = $r[$i][0] - $r[$i - 1][0];
    }
    return $gaps;
}
function check(string $what, array $gaps, array $bounds): void
{
    foreach ($bounds as $i => [$min, $max]) {
        // never early; late by what a loaded 2-CPU machine may add (the move step runs every 50 ms)
        // (under valgrind or ASan, USE_ZEND_ALLOC=0, every process runs many times slower: later, never earlier)
        $ok = isset($gaps[$i]) && $gaps[$i] >= $min && $gaps[$i] <= $max + (getenv('USE_ZEND_ALLOC') === '0' ? 5.0 : 2.0);
        echo "$what retry ", $i + 1, ': ', $ok ? 'in bounds' : sprintf('OUT OF BOUNDS (%.4f s, expected %.3f to %.3f)', $gaps[$i] ?? -1, $min, $max), "\n";
    }
}

echo "-- throws twice, then returns\n";
$f = (new Task($record, "$dir/flaky", 3))->withRetries(3, [0.2, 0.4])->dispatch();
var_dump($f->wait(60));
var_dump(array_column(runs("$dir/flaky"), 1));
check('list', gaps("$dir/flaky"), [[0.2, 0.2], [0.4, 0.4]]);

echo "-- exponential backoff with jitter\n";
$exp = [];
for ($i = 0; $i < 2; $i++) {
    $exp[$i] = (new Task($record, "$dir/exp$i", 4))->withRetries(3, 0.2)->dispatch();
}
foreach ($exp as $i => $f) {
    var_dump($f->wait(60));
    check("exponential $i", gaps("$dir/exp$i"), [[0.1, 0.2], [0.2, 0.4], [0.4, 0.8]]);
}

echo "-- retries run out\n";
$f = (new Task($record, "$dir/out", 99))->withRetries(2, 0.05)->dispatch();
usleep(20000);
try {
    $f->wait(60);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), ' [', $e->getRemoteClass(), ' ', $e->getCode(), "] attempts ", $e->getAttempts(), "\n";
    $p = $e->getPrevious();
    echo $p ? get_class($p) . ': ' . $p->getRemoteClass() . ' ' . $p->getMessage() . ' ' . $p->getCode() : 'no previous', "\n";
}
var_dump(count(runs("$dir/out")));

echo "-- a worker that dies, a time limit\n";
// (time limits of 2 s: a loaded machine, or valgrind, may take a good part of a second to start a run)
$killed = (new Task($record, "$dir/killed", 2, 'kill'))->withRetries(1, 0.05)->dispatch();
$slow = (new Task($record, "$dir/slow", 2, 'sleep'))->withTimeout(2)->withRetries(1, 0.05)->dispatch();
$alwaysKilled = (new Task($record, "$dir/always-killed", 99, 'kill'))->withRetries(2, 0.05)->dispatch();
$alwaysSlow = (new Task($record, "$dir/always-slow", 99, 'sleep'))->withTimeout(2)->withRetries(1, 0.05)->dispatch();
var_dump($killed->wait(60), $slow->wait(60));
foreach ([$alwaysKilled, $alwaysSlow] as $f) {
    try {
        $f->wait(60);
    } catch (AsyncTask\TaskFailedException $e) {
        echo get_class($e), ' attempts ', $e->getAttempts(), "\n";
    }
}
var_dump(array_column(runs("$dir/always-killed"), 1), count(runs("$dir/always-slow")));

echo "-- a retry waits in the delayed set\n";
$f = (new Task($record, "$dir/waits", 2))->withRetries(1, [3.0])->dispatch();
// cancel() of a task waiting for its retry takes it out of the delayed set: it never runs again
$c = (new Task($record, "$dir/cancelled", 2))->withRetries(1, [3.0])->dispatch();
$d = (new Task($record, "$dir/cancelled-delayed", 2))->delay(0.01)->withRetries(1, [3.0])->dispatch();
asynctask_test_wait_for("$dir/cancelled-delayed", 30);   // its first run (after its delay) began
for ($until = microtime(true) + 30; redisCommand('ZCARD', "$prefix:delayed:default") < 3 && microtime(true) < $until; ) {
    usleep(10000);
}
var_dump(redisCommand('ZCARD', "$prefix:delayed:default"), redisCommand('XLEN', "$prefix:q:default"));
var_dump($c->cancel(), $d->cancel(), $c->cancel());
var_dump($f->wait(60));
var_dump(redisCommand('ZCARD', "$prefix:delayed:default"), redisCommand('HLEN', "$prefix:delayed:default:t"),
    redisCommand('XLEN', "$prefix:q:default"), count(runs("$dir/cancelled")), count(runs("$dir/cancelled-delayed")));
foreach ([$c, $d] as $cancelled) {
    try {
        $cancelled->wait(1);
    } catch (AsyncTask\Exception $e) {
        echo get_class($e), "\n";
    }
}

posix_kill($pida, SIGTERM);
var_dump(e2e_reap($pa));
asynctask_test_rmdir($dir);
?>
--EXPECT--
-- throws twice, then returns
int(3)
array(3) {
  [0]=>
  string(1) "1"
  [1]=>
  string(1) "2"
  [2]=>
  string(1) "3"
}
list retry 1: in bounds
list retry 2: in bounds
-- exponential backoff with jitter
int(4)
exponential 0 retry 1: in bounds
exponential 0 retry 2: in bounds
exponential 0 retry 3: in bounds
int(4)
exponential 1 retry 1: in bounds
exponential 1 retry 2: in bounds
exponential 1 retry 3: in bounds
-- retries run out
AsyncTask\TaskFailedException: attempt 3 (after 3 attempts) [RuntimeException 7] attempts 3
AsyncTask\TaskFailedException: LogicException the cause 3
int(3)
-- a worker that dies, a time limit
int(2)
int(2)
AsyncTask\WorkerCrashedException attempts 3
AsyncTask\TaskTimeoutException attempts 2
array(3) {
  [0]=>
  string(1) "1"
  [1]=>
  string(1) "2"
  [2]=>
  string(1) "3"
}
int(2)
-- a retry waits in the delayed set
int(3)
int(0)
bool(true)
bool(true)
bool(false)
int(2)
int(0)
int(0)
int(0)
int(1)
int(1)
AsyncTask\Exception
AsyncTask\Exception
int(0)
