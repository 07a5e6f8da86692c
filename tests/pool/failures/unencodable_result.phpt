--TEST--
A result that cannot be sent back (closure, resource, object that forbids serialization): SerializationException from wait(); the worker goes on
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
$tasks = [
    'closure' => fn () => fn () => 1,
    'resource' => fn () => fopen('php://memory', 'r'),
    'nested resource' => fn () => ['ok' => 1, 'h' => [STDIN]],
    'reflection object' => fn () => new ReflectionClass('stdClass'),
];
foreach ($tasks as $what => $task) {
    $future = AsyncTask\dispatch($task);
    try {
        $future->wait();
        echo "$what: no exception\n";
    } catch (AsyncTask\SerializationException $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
    var_dump($future->isDone());
}
$pid = AsyncTask\dispatch('getmypid')->wait();
var_dump(AsyncTask\dispatch('abs', -2)->wait(), AsyncTask\dispatch('getmypid')->wait() === $pid);
var_dump(AsyncTask\Pool::stats()['crashed']);
?>
--EXPECTF--
closure: AsyncTask\SerializationException: the task's return value cannot be sent %s: it is a closure%s
bool(true)
resource: AsyncTask\SerializationException: the task's return value cannot be sent %s: it is a resource (stream)%s
bool(true)
nested resource: AsyncTask\SerializationException: %sresource%s
bool(true)
reflection object: AsyncTask\SerializationException: %sReflectionClass%s
bool(true)
int(2)
bool(true)
int(0)
