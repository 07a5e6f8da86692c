--TEST--
Task::delay(): a delayed task never starts before dispatch() + its delay (hrtime in the task against the dispatcher's hrtime taken before dispatch(): one clock, CLOCK_MONOTONIC), and on an idle pool it starts soon after (bound for a loaded 2-core machine: 0.5 s); delays of any order, priorities and plain tasks mix; reload keeps them
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
use AsyncTask\Task;

AsyncTask\Pool::start();
AsyncTask\dispatch('strlen', 'warm up')->wait(5);

$delays = [0.6, 0.02, 0.3, 0.001, 0.15, 0.45, 0.05, 0.25, 0.1, 0.6, 0.2, 0.35, 0.01, 0.5, 0.08, 0.4];
$futures = [];
foreach ($delays as $i => $delay) {
    $t0 = hrtime(true);
    $task = (new Task(fn () => hrtime(true)))->delay($delay);
    if ($i % 3 === 0) {
        $task->withPriority(Task::HIGH);
    }
    $futures[$i] = [$t0, $delay, $task->dispatch()];
    if ($i === 8) {
        AsyncTask\Pool::reload();   // new workers; the manager keeps what it holds
    }
}
// a plain task is not held up by the delayed ones
$plain = AsyncTask\dispatch(fn () => hrtime(true));
$t = hrtime(true);
$plain->wait(5);
var_dump((hrtime(true) - $t) / 1e9 < (getenv('USE_ZEND_ALLOC') === '0' ? 5.0 : 0.5));

// under valgrind or ASan (USE_ZEND_ALLOC=0) every process runs many times slower: later, never earlier
$bound = getenv('USE_ZEND_ALLOC') === '0' ? 5.0 : 0.5;
$early = $late = 0;
$worst = 0.0;
foreach ($futures as $i => [$t0, $delay, $f]) {
    $start = $f->wait(10);
    $lateness = ($start - $t0) / 1e9 - $delay;
    if ($start < $t0 + (int) ($delay * 1e9)) {
        $early++;
        echo "task $i started ", -$lateness, " s early\n";
    }
    $worst = max($worst, $lateness);
    if ($lateness >= $bound) {
        $late++;
        echo "task $i started $lateness s late\n";
    }
}
var_dump($early, $late);
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['queued']);
?>
--EXPECT--
bool(true)
int(0)
int(0)
int(18)
int(18)
int(0)
int(0)
