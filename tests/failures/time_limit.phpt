--TEST--
Time limits: withTimeout() and asynctask.task_timeout kill the worker; TaskTimeoutException names the limit
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.task_timeout=0.4
--FILE--
<?php
use AsyncTask\Task;

$start = microtime(true);
try {
    (new Task('sleep', 10))->withTimeout(0.3)->dispatch()->wait();
} catch (AsyncTask\TaskTimeoutException $e) {
    var_dump($e instanceof AsyncTask\TaskFailedException, str_contains($e->getMessage(), '0.3 s'));
}
try {
    AsyncTask\dispatch('sleep', 10)->wait();
} catch (AsyncTask\TaskTimeoutException $e) {
    var_dump(str_contains($e->getMessage(), '0.4 s'));
}
var_dump(microtime(true) - $start < 4);
var_dump((new Task('usleep', 1000))->withTimeout(0)->dispatch()->wait());
var_dump(AsyncTask\Pool::stats()['timed_out']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
NULL
int(2)
