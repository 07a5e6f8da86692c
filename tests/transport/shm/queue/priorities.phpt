--TEST--
Priorities: with the one worker held busy, LOW, NORMAL and HIGH tasks queued in mixed order run HIGH first, then NORMAL, then LOW, FIFO within a level (each appends its name to a file); cancelled ones of any level never run; plain tasks are NORMAL
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('priorities');
$order = "$dir/order";
$record = function (string $name) use ($order): string {
    file_put_contents($order, "$name\n", FILE_APPEND | LOCK_EX);
    return $name;
};

// hold the only worker until the gate opens
$busy = AsyncTask\dispatch(function () use ($dir) {
    touch("$dir/started");
    return asynctask_test_wait_for("$dir/go");
});
var_dump(asynctask_test_wait_for("$dir/started"));

$plan = ['L1' => Task::LOW, 'N1' => Task::NORMAL, 'H1' => Task::HIGH, 'L2' => Task::LOW, 'p1' => null,
    'H2' => Task::HIGH, 'N2' => Task::NORMAL, 'Hx' => Task::HIGH, 'L3' => Task::LOW, 'Lx' => Task::LOW,
    'H3' => Task::HIGH, 'p2' => null, 'N3' => Task::NORMAL];
$futures = [];
foreach ($plan as $name => $priority) {
    $task = new Task($record, $name);
    if ($priority !== null) {
        $task->withPriority($priority);
    }
    $futures[$name] = $task->dispatch();
}
// cancelled while queued, one HIGH and one LOW: they never run
var_dump($futures['Hx']->cancel(), $futures['Lx']->cancel());
unset($futures['Hx'], $futures['Lx']);
var_dump(AsyncTask\Pool::stats()['queued']);

asynctask_test_open("$dir/go");
var_dump($busy->wait(10));
$results = AsyncTask\Future::all($futures, 10);
var_dump($results === array_combine(array_keys($futures), array_keys($futures)));
echo implode(' ', file($order, FILE_IGNORE_NEW_LINES)), "\n";

// the queue is whole afterwards: a task of each level still runs
foreach ([Task::LOW, Task::HIGH, Task::NORMAL] as $p) {
    echo (new Task('strrev', "level $p"))->withPriority($p)->dispatch()->wait(5), "\n";
}
$s = AsyncTask\Pool::stats();
var_dump($s['completed'], $s['cancelled'], $s['queued'], $s['failed']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(11)
bool(true)
bool(true)
H1 H2 H3 N1 p1 N2 p2 N3 L1 L2 L3
1- level
1 level
0 level
int(15)
int(2)
int(0)
int(0)
