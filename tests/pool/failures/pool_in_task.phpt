--TEST--
Pool::start(), stop() and reload() inside a task throw AsyncTask\Exception (the pool would be pulled from under the task); Pool::stats() there shows the pool that runs the task
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
use AsyncTask\Pool;

Pool::start();
$manager = Pool::stats()['manager_pid'];
foreach (['start', 'stop', 'reload'] as $method) {
    echo AsyncTask\dispatch(function (string $method) {
        try {
            Pool::$method();
            return "$method: no exception";
        } catch (AsyncTask\Exception $e) {
            return get_class($e) . ': ' . $e->getMessage();
        }
    }, $method)->wait(10), "\n";
}
[$workers, $running, $managerThere, $dispatched] = AsyncTask\dispatch(function () {
    $s = Pool::stats();
    return [$s['workers'], $s['running'], $s['manager_pid'], $s['dispatched']];
})->wait(10);
var_dump($workers, $running, $managerThere === $manager, $dispatched);
$s = Pool::stats();
var_dump($s['manager_pid'] === $manager, $s['respawned'], $s['completed'], $s['failed']);
var_dump(AsyncTask\dispatch('strrev', 'ok')->wait(10));
?>
--EXPECT--
AsyncTask\Exception: AsyncTask\Pool::start() cannot be called inside a task: the pool runs the task (start, stop and reload it from the process that dispatches)
AsyncTask\Exception: AsyncTask\Pool::stop() cannot be called inside a task: the pool runs the task (start, stop and reload it from the process that dispatches)
AsyncTask\Exception: AsyncTask\Pool::reload() cannot be called inside a task: the pool runs the task (start, stop and reload it from the process that dispatches)
int(1)
int(1)
bool(true)
int(4)
bool(true)
int(0)
int(4)
int(0)
string(2) "ko"
