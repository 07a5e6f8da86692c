--TEST--
Fatal errors in a task: E_USER_ERROR gives WorkerCrashedException with PHP's message, file and line; a call to an undefined function gives TaskFailedException (Error)
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
try {
    AsyncTask\dispatch(function () { trigger_error('configuration is unusable', E_USER_ERROR); })->wait();
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'configuration is unusable'), $e->getFile() === __FILE__, $e->getLine());
}
try {
    AsyncTask\dispatch(function () { return no_such_function_here(1); })->wait();
    echo "no exception\n";
} catch (AsyncTask\TaskFailedException $e) {
    var_dump(get_class($e), $e->getRemoteClass(), $e->getMessage(), $e->getFile() === __FILE__, $e->getLine());
}
var_dump(AsyncTask\dispatch(fn () => 'still serving')->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['crashed'], $s['failed'], $s['completed']);
?>
--EXPECT--
bool(true)
bool(true)
int(3)
string(29) "AsyncTask\TaskFailedException"
string(5) "Error"
string(50) "Call to undefined function no_such_function_here()"
bool(true)
int(9)
string(13) "still serving"
int(1)
int(2)
int(1)
