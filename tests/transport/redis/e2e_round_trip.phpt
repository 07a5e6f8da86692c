--TEST--
Redis backend end to end: a dispatcher and a node (another process tree running Pool::serve()) sharing one Redis: values, a named callable, an exception with its remote class, message and code, a time limit, a worker that always dies (run again up to max_attempts, then WorkerCrashedException), context() in the task (id = the Future's id, attempt 1, queue, node, dispatch time) and null outside; on SIGTERM the node finishes its running task and serve() returns
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';
$dir = asynctask_test_dir('e2e-rt');
$ini = e2e_ini('rt');
[$proc, $pid, $log] = e2e_node($dir, 'node-a', $ini);
e2e_dispatcher($ini);

$k = 21;
var_dump(AsyncTask\dispatch(fn($x) => $x * $k, 2)->wait(10));
var_dump(AsyncTask\dispatch('strtoupper', 'abc')->wait(10));
try {
    AsyncTask\dispatch(function () { throw new InvalidArgumentException('nope', 7); })->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getRemoteClass(), ' "', $e->getMessage(), '" ', $e->getCode(), "\n";
}
$start = hrtime(true);
try {
    (new AsyncTask\Task(fn() => sleep(20)))->withTimeout(0.5)->dispatch()->wait(10);
} catch (AsyncTask\TaskTimeoutException $e) {
    echo get_class($e), ', within 3 s: ', var_export(asynctask_test_elapsed($start) < 3, true), "\n";
}
// a worker that dies is a node that died: the task runs again, up to asynctask.max_attempts (3)
try {
    AsyncTask\dispatch(fn() => exec('kill -9 ' . getmypid()))->wait(20);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo get_class($e), ': ', preg_replace('/\d+/', 'N', $e->getMessage()), "\n";
}
var_dump(AsyncTask\dispatch(fn() => 'after the crash')->wait(10));

$f = AsyncTask\dispatch(function () {
    $c = AsyncTask\context();
    return [$c->id(), $c->attempt(), $c->queue(), $c->node(), $c->dispatchedAt()];
});
[$id, $attempt, $queue, $node, $at] = $f->wait(10);
var_dump($id === $f->id(), (bool) preg_match('/^[0-9a-f]{32}$/', $id), $attempt, $queue, $node, abs($at - microtime(true)) < 10);
var_dump(AsyncTask\context());

$slow = AsyncTask\dispatch(function () { usleep(500000); return 'finished while the node stopped'; });
usleep(200000);
posix_kill($pid, SIGTERM);
var_dump($slow->wait(10));
var_dump(e2e_reap($proc));
echo file_get_contents($log);
asynctask_test_rmdir($dir);
?>
--EXPECT--
int(42)
string(3) "ABC"
AsyncTask\TaskFailedException: InvalidArgumentException "nope" 7
AsyncTask\TaskTimeoutException, within 3 s: true
AsyncTask\WorkerCrashedException: the task was dead-lettered after N attempts: the worker (pid N) running task N was killed by signal N (Killed)
string(15) "after the crash"
bool(true)
bool(true)
int(1)
string(7) "default"
string(6) "node-a"
bool(true)
NULL
string(31) "finished while the node stopped"
int(0)
serve() returned
