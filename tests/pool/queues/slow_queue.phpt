--TEST--
Named queues: a slow queue whose workers are all busy and whose bound (its own asynctask.queue_size ring) is full never delays another queue: tasks dispatched to the other queue run at once, while a dispatch to the full one waits asynctask.dispatch_timeout and throws QueueFullException naming it; once its workers are free everything queued there runs
--EXTENSIONS--
asynctask
--INI--
asynctask.log=/dev/null
asynctask.queues="slow:1,fast:1"
asynctask.queue_size=64K
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('queues_slow');
// under valgrind or ASan (USE_ZEND_ALLOC=0) every process runs many times slower: the bounds and
// the dispatch timeout they are measured against grow alike
$k = getenv('USE_ZEND_ALLOC') === '0' ? 5 : 1;
$held = (new Task(function (string $dir) {
    asynctask_test_open("$dir/running");
    return asynctask_test_wait_for("$dir/go", 120);
}, $dir))->onQueue('slow')->dispatch();
asynctask_test_wait_for("$dir/running");

// fill the slow queue's ring: 10 KB tasks until there is no room within 0.2 s
ini_set('asynctask.dispatch_timeout', '0.2');
$queued = [];
try {
    for ($i = 0; $i < 100; $i++) {
        $queued[] = (new Task('strlen', str_repeat('s', 10000)))->onQueue('slow')->dispatch();
    }
} catch (AsyncTask\QueueFullException $e) {
    echo get_class($e), ': ', preg_replace('/\d+ tasks queued in \d+ bytes/', 'N tasks queued in M bytes', $e->getMessage()), "\n";
}
ini_set('asynctask.dispatch_timeout', (string) (3 * $k));
$s = AsyncTask\Pool::stats()['queues'];
var_dump(count($queued) >= 4, $s['slow']['queued'] === count($queued), $s['slow']['running'],
    $s['slow']['queue_bytes_used'] > 40000, $s['fast']['queued']);

// the fast queue: each task dispatched and back well within the 3 s ($k times 3) a dispatch
// to the full slow queue would wait (bound for a loaded 2-CPU machine)
$start = hrtime(true);
$worst = 0.0;
for ($i = 0; $i < 50; $i++) {
    $t = hrtime(true);
    $r = (new Task('strtoupper', "f$i"))->onQueue('fast')->dispatch()->wait(10);
    $worst = max($worst, asynctask_test_elapsed($t));
    if ($r !== "F$i") {
        echo "bad result $r\n";
    }
}
$all = asynctask_test_elapsed($start);
var_dump($worst < 1.5 * $k, $all < 2.5 * $k);
if ($worst >= 1.5 * $k || $all >= 2.5 * $k) {
    printf("worst %.3f s, all %.3f s\n", $worst, $all);
}
// a batch dispatched at once, too
$batch = [];
for ($i = 0; $i < 200; $i++) {
    $batch[] = (new Task('strlen', str_repeat('f', $i)))->onQueue('fast')->dispatch();
}
var_dump(array_sum(AsyncTask\Future::all($batch, 10)) === array_sum(range(0, 199)), asynctask_test_elapsed($start) < 4.0 * $k);

// the slow queue is still full
$t = hrtime(true);
try {
    (new Task('strlen', str_repeat('s', 10000)))->onQueue('slow')->dispatch();
    echo "room?\n";
} catch (AsyncTask\QueueFullException $e) {
    var_dump(asynctask_test_elapsed($t) >= 2.9 * $k);
}

// its worker goes on: everything queued there runs
asynctask_test_open("$dir/go");
var_dump($held->wait(10), array_unique(AsyncTask\Future::all($queued, 20)));
$s = AsyncTask\Pool::stats();
var_dump($s['queues']['slow']['completed'] === count($queued) + 1, $s['queues']['fast']['completed'], $s['failed']);
?>
--EXPECT--
AsyncTask\QueueFullException: the task queue "slow" stayed full for 0.2 s (asynctask.dispatch_timeout): N tasks queued in M bytes (asynctask.queue_size)
bool(true)
bool(true)
int(1)
bool(true)
int(0)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
array(1) {
  [0]=>
  int(10000)
}
bool(true)
int(250)
int(0)
