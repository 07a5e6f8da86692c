--TEST--
Memory exhausted in a task: WorkerCrashedException whose message is PHP's fatal error, with the task's file and line; the pool goes on
--EXTENSIONS--
asynctask
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip memory_limit is not enforced without the Zend allocator (valgrind runs)'); ?>
--INI--
asynctask.workers=1
asynctask.log=/dev/null
memory_limit=32M
--FILE--
<?php
try {
    AsyncTask\dispatch(function () {
        $hog = [];
        while (true) { $hog[] = str_repeat('x', 1 << 20); }
    })->wait();
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump($e instanceof AsyncTask\TaskFailedException);
    var_dump(str_starts_with($e->getMessage(), 'Allowed memory size of 33554432 bytes exhausted'));
    var_dump($e->getFile() === __FILE__, $e->getLine());
}
var_dump(AsyncTask\dispatch(fn () => strlen(str_repeat('y', 1 << 20)))->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['crashed'], $s['failed'], $s['completed']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(5)
int(1048576)
int(1)
int(1)
int(1)
