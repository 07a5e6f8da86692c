--TEST--
A result larger than the caller's memory_limit leaves: its Future fails with TaskFailedException saying the sizes and the limit, before anything is allocated for it (as it arrives, and again before it is decoded); a result nobody waits for is never read; the caller's other Futures work, stats() count it failed
--EXTENSIONS--
asynctask
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip memory_limit is not enforced without the Zend allocator (valgrind, ASan)'); ?>
--INI--
memory_limit=256M
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
use AsyncTask\Pool;

function outcome(AsyncTask\Future $f): string
{
    try {
        $v = $f->wait(20);
        return is_string($v) ? "string of " . strlen($v) : gettype($v) . ' of ' . count($v);
    } catch (AsyncTask\Exception $e) {
        return get_class($e) . ': ' . $e->getMessage();
    }
}

Pool::start();
ini_set('memory_limit', '32M');  // here only: the worker keeps the 256M it started with

$before = AsyncTask\dispatch('strrev', 'before');
$big = AsyncTask\dispatch(fn () => str_repeat('x', 40 << 20));
AsyncTask\dispatch(fn () => str_repeat('y', 40 << 20));  // nobody waits for it: never read
$after = AsyncTask\dispatch('strrev', 'after');
echo outcome($big), "\n";
echo outcome($big), "\n";  // settled once
echo outcome($before), ', ', outcome($after), "\n";

// there was room as it arrived, and no longer is when it is decoded
ini_set('memory_limit', '96M');
$list = AsyncTask\dispatch(fn () => range(1, 1 << 20));
while (!$list->isDone()) {
    usleep(1000);
}
$ballast = str_repeat('b', 60 << 20);
echo outcome($list), "\n";
unset($ballast);
echo outcome($list), "\n";
echo outcome(AsyncTask\dispatch(fn () => range(1, 1 << 20))), "\n";

$s = Pool::stats();
printf("dispatched %d = completed %d + failed %d\n", $s['dispatched'], $s['completed'], $s['failed']);
?>
--EXPECTF--
AsyncTask\TaskFailedException: the task's result (4194%d bytes, about 4195%d once decoded) needs %d bytes of memory here; this process has %d left under memory_limit (33554432 bytes): return less, or raise memory_limit
AsyncTask\TaskFailedException: the task's result (4194%d bytes, about 4195%d once decoded) needs %d bytes of memory here; this process has %d left under memory_limit (33554432 bytes): return less, or raise memory_limit
string of 6, string of 5
AsyncTask\TaskFailedException: the task's result (%d bytes, about %d once decoded) needs %d bytes of memory here; this process has %d left under memory_limit (100663296 bytes): return less, or raise memory_limit
AsyncTask\TaskFailedException: the task's result (%d bytes, about %d once decoded) needs %d bytes of memory here; this process has %d left under memory_limit (100663296 bytes): return less, or raise memory_limit
array of 1048576
dispatched 6 = completed 4 + failed 2
