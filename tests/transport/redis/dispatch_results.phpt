--TEST--
Redis Futures, with a node played by hand: a value, a remote exception (class, message, code, file, line kept), a crash, a time limit and a task that could not run settle as over shared memory; results come out of order and each reaches its own Future; wait($timeout) past its time throws TimeoutException (no earlier, not much later) and the Future stays usable; all() keeps keys and waits for every one, any() returns the first settled key, both time out without a partial answer
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/dispatch.inc';

[$secret, $prefix] = dispatch_test_setup('results');

echo "-- a value\n";
$f = AsyncTask\dispatch('strtoupper', 'abc');
var_dump($f->isDone());
[$task] = array_values(node_take($prefix, $secret));
node_return($task, $secret, 'ABC');
var_dump($f->wait(5), $f->isDone(), $f->wait(0));       // settled once, read again

echo "-- remote failures\n";
$futures = [];
foreach (['threw', 'crashed', 'timed_out', 'failed'] as $name) {
    $futures[$name] = AsyncTask\dispatch('strlen', $name);
}
$tasks = array_values(node_take($prefix, $secret));
node_throw($tasks[0], $secret, new InvalidArgumentException('no such account', 42));
$remoteLine = __LINE__ - 1;
node_throw($tasks[1], $secret, new Exception('the worker died (signal 9)'), RESULT_CRASHED);
node_throw($tasks[2], $secret, new Exception('killed past its time limit of 1 s'), RESULT_TIMED_OUT);
node_throw($tasks[3], $secret, new Exception('closure file changed'), RESULT_FAILED);
foreach (array_reverse($futures) as $name => $future) {        // waited for in another order
    try {
        $future->wait(5);
    } catch (AsyncTask\TaskFailedException $e) {
        echo "$name: ", get_class($e), ' ', $e->getRemoteClass(), ': ', $e->getMessage(), ' (', $e->getCode(), ")\n";
        if ($name === 'threw') {
            var_dump($e->getFile() === __FILE__, $e->getLine() === $remoteLine);
        }
    }
}

echo "-- wait(\$timeout)\n";
$f = AsyncTask\dispatch('strrev', 'abc');
[$out, $seconds] = redis_test_timed(fn () => $f->wait(0.3));
echo preg_replace('/task [0-9a-f]{32}/', 'task ID', $out), "\n";
echo $seconds >= 0.3 && $seconds < 0.8 ? "after [0.3, 0.8) s" : "after $seconds s", "\n";
[$out, $seconds] = redis_test_timed(fn () => $f->wait(0));
echo get_class_or_value($out), $seconds < 0.5 ? " at once\n" : " after $seconds s\n";
[$task] = array_values(node_take($prefix, $secret));
node_return($task, $secret, 'cba');
var_dump($f->wait(5));

echo "-- all() and any()\n";
$futures = ['a' => AsyncTask\dispatch('strlen', 'a'), 7 => AsyncTask\dispatch('strlen', 'bb'), 'c' => AsyncTask\dispatch('strlen', 'ccc')];
$tasks = array_values(node_take($prefix, $secret));
echo outcome(fn () => AsyncTask\Future::all($futures, 0.2)), "\n";
echo outcome(fn () => AsyncTask\Future::any($futures, 0.2)), "\n";
node_return($tasks[1], $secret, 2);
var_dump(AsyncTask\Future::any($futures, 5));
echo outcome(fn () => AsyncTask\Future::all($futures, 0.2)), "\n";
node_return($tasks[2], $secret, 3);
node_return($tasks[0], $secret, 1);
var_dump(AsyncTask\Future::all($futures, 5));

function get_class_or_value(mixed $out): string
{
    return is_string($out) ? substr($out, 0, strpos($out, ':')) : var_export($out, true);
}
?>
--EXPECTF--
-- a value
bool(false)
string(3) "ABC"
bool(true)
string(3) "ABC"
-- remote failures
failed: AsyncTask\TaskFailedException Exception: closure file changed (0)
timed_out: AsyncTask\TaskTimeoutException Exception: killed past its time limit of 1 s (0)
crashed: AsyncTask\WorkerCrashedException Exception: the worker died (signal 9) (0)
threw: AsyncTask\TaskFailedException InvalidArgumentException: no such account (42)
bool(true)
bool(true)
-- wait($timeout)
AsyncTask\TimeoutException: task ID did not finish within 0.3 s; it goes on running: wait again for its result
after [0.3, 0.8) s
AsyncTask\TimeoutException at once
string(3) "cba"
-- all() and any()
AsyncTask\TimeoutException: 3 of 3 tasks did not finish within 0.2 s; they go on running: wait again for their results
AsyncTask\TimeoutException: none of 3 tasks finished within 0.2 s; they go on running: wait again for their results
int(7)
AsyncTask\TimeoutException: 2 of 3 tasks did not finish within 0.2 s; they go on running: wait again for their results
array(3) {
  ["a"]=>
  int(1)
  [7]=>
  int(2)
  ["c"]=>
  int(3)
}
