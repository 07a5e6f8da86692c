--TEST--
A full queue never blocks a worker: a task that fails while the queue has no room for its next run (Task::withRetries()), or a chain's link that ends then (Task::then()), is left to the manager (the worker leaves and is replaced), which holds it and queues it once the workers made room; nothing is lost, stats() stay exact
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=64K
asynctask.dispatch_timeout=0
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('retry_queue_full');
ini_set('asynctask.log', "$dir/asynctask.log");
AsyncTask\Pool::start();
$held = function (string $dir, string $gate) {
    asynctask_test_wait_for("$dir/$gate");
    if (AsyncTask\context()->attempt() === 1 && $gate === 'retry') {
        throw new RuntimeException('first run');
    }
    return "$gate ran at attempt " . AsyncTask\context()->attempt();
};
/** Dispatches no-op tasks until the queue is full; returns their Futures. */
function fill(): array
{
    $fillers = [];
    try {
        for ($i = 0; $i < 100000; $i++) {
            $fillers[] = AsyncTask\dispatch('intval', $i);
        }
    } catch (AsyncTask\QueueFullException $e) {
    }
    return $fillers;
}

// the only worker runs $held while the test fills the queue, then it fails: no room for its next run
$retry = (new Task($held, $dir, 'retry'))->withRetries(2, 0.01)->dispatch();
usleep(200000);
$fillers = fill();
asynctask_test_open("$dir/retry");
var_dump($retry->wait(20), count(AsyncTask\Future::all($fillers, 20)) === count($fillers), count($fillers) > 100);

// the same for a chain's first link: it ends with no room for the second
$chain = (new Task($held, $dir, 'chain'))->then(fn (string $s) => "$s, then link 2")->dispatch();
usleep(200000);
$fillers2 = fill();
asynctask_test_open("$dir/chain");
var_dump($chain->wait(20), count(AsyncTask\Future::all($fillers2, 20)) === count($fillers2));

$s = AsyncTask\Pool::stats();
var_dump($s['completed'] + $s['failed'] === $s['dispatched'], $s['failed'], $s['retried'], $s['respawned'] >= 2);
$log = file_get_contents("$dir/asynctask.log");
var_dump(str_contains($log, 'the queue has no room for its next run now'), str_contains($log, 'the queue has no room for link 2 now'));
?>
--EXPECT--
string(22) "retry ran at attempt 2"
bool(true)
bool(true)
string(35) "chain ran at attempt 1, then link 2"
bool(true)
bool(true)
int(0)
int(1)
bool(true)
bool(true)
bool(true)
