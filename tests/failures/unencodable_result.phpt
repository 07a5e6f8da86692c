--TEST--
A result that cannot be sent back: SerializationException from wait(), the worker goes on
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
foreach ([fn () => fn () => 1, fn () => fopen('php://memory', 'r')] as $task) {
    try {
        AsyncTask\dispatch($task)->wait();
    } catch (AsyncTask\SerializationException $e) {
        echo $e->getMessage(), "\n";
    }
}
var_dump(AsyncTask\dispatch('abs', -2)->wait());
?>
--EXPECTF--
the task's return value cannot be sent to a worker: it is a closure; %s
the task's return value cannot be sent to a worker: it is a resource (stream); %s
int(2)
