--TEST--
Fatal error and exit() inside a task: WorkerCrashedException with PHP's message, file and line
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
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'Allowed memory size'), $e->getFile() === __FILE__, $e->getLine());
}
try {
    AsyncTask\dispatch(function () { exit(3); })->wait();
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'exit()'), str_contains($e->getMessage(), 'status 3'));
}
var_dump(AsyncTask\dispatch(fn () => 'still serving')->wait());
?>
--EXPECT--
bool(true)
bool(true)
int(5)
bool(true)
bool(true)
string(13) "still serving"
