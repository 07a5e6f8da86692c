--TEST--
A pool started inside a Fiber: its tasks are not part of that fiber (Fiber::suspend() in a task throws FiberError instead of resuming the dispatcher's code in the worker); fibers a task starts work
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
$fiber = new Fiber(function () {
    AsyncTask\Pool::start();
    Fiber::suspend();
});
$fiber->start();

$tasks = [
    'Fiber::getCurrent()' => fn () => get_debug_type(Fiber::getCurrent()),
    'Fiber::suspend()' => fn () => Fiber::suspend('to whom?'),
    'a fiber of its own' => function () {
        $own = new Fiber(fn (int $x) => Fiber::suspend($x * 2) + 1);
        $first = $own->start(21);
        $own->resume(100);
        return [$first, $own->getReturn()];
    },
];
foreach ($tasks as $name => $task) {
    try {
        $outcome = json_encode(AsyncTask\dispatch($task)->wait(10));
    } catch (AsyncTask\Exception $e) {
        $outcome = get_class($e) . ($e instanceof AsyncTask\TaskFailedException ? ' (' . $e->getRemoteClass() . ')' : '')
            . ': ' . $e->getMessage();
    }
    echo "$name: $outcome\n";
}
echo "the dispatcher goes on, once\n";
$fiber->resume();
var_dump($fiber->isTerminated());
?>
--EXPECT--
Fiber::getCurrent(): "null"
Fiber::suspend(): AsyncTask\TaskFailedException (FiberError): Cannot suspend outside of a fiber
a fiber of its own: [42,101]
the dispatcher goes on, once
bool(true)
