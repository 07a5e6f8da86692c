--TEST--
Fault injection: a producer killed at each point of the queue protocol (inside the lock, between reserving and committing, while writing a spill file) loses only the task it had not committed; the queue stays consistent and the other producers carry on
--EXTENSIONS--
asynctask
pcntl
posix
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
asynctask.log=/dev/null
asynctask.queue_size=1M
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;

$points = [
    // point => payload size (spill points need one larger than a quarter of the queue)
    'queue.push.reserved' => 100,
    'queue.push.copied' => 100,
    'queue.push.published' => 100,
    'spill.create' => 400 << 10,
    'dispatch.spilled' => 400 << 10,
];
$tmp = asynctask_test_dir('producer_killed');
ini_set('asynctask.tmpdir', $tmp);
Pool::start();
foreach ($points as $point => $size) {
    $dir = "$tmp/$point";
    mkdir($dir);
    $before = Pool::stats();
    $pid = pcntl_fork();
    if ($pid === 0) {
        // dies the 3rd time it passes $point: tasks 1 and 2 are queued, task 3 is not
        putenv("ASYNCTASK_FAULT=$point:3");
        for ($n = 1; $n <= 5; $n++) {
            AsyncTask\dispatch('fault_test_task', $dir, $n, str_repeat('p', $size));
        }
        exit(0);
    }
    // meanwhile this process dispatches and collects as usual
    $mine = [];
    for ($n = 100; $n < 140; $n++) {
        $mine[] = AsyncTask\dispatch('fault_test_task', $dir, $n, str_repeat('m', $n));
    }
    pcntl_waitpid($pid, $status);
    $values = AsyncTask\Future::all($mine, 20);
    $s = fault_test_wait_idle();
    $runs = fault_test_runs($dir);
    $others = array_filter($runs, fn ($n) => $n >= 100, ARRAY_FILTER_USE_KEY);
    printf("%s: producer %s; its tasks that ran: %s; other tasks: %d values, each ran once: %s; dispatched +%d\n",
        $point, pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGKILL ? 'killed' : 'NOT killed',
        json_encode(array_filter($runs, fn ($n) => $n < 100, ARRAY_FILTER_USE_KEY)),
        count($values), array_values(array_unique($others)) === [1] && count($others) === 40 ? 'yes' : 'NO',
        $s['dispatched'] - $before['dispatched']);
}
// the pool is whole and nothing was left behind once the sweep ran
var_dump(AsyncTask\dispatch('strrev', 'ok')->wait(5), Pool::stats()['failed']);
$deadline = microtime(true) + 5;
while (fault_test_leftovers($tmp) && microtime(true) < $deadline) {
    usleep(20000);
}
var_dump(fault_test_leftovers($tmp));
?>
--EXPECT--
queue.push.reserved: producer killed; its tasks that ran: {"1":1,"2":1}; other tasks: 40 values, each ran once: yes; dispatched +42
queue.push.copied: producer killed; its tasks that ran: {"1":1,"2":1}; other tasks: 40 values, each ran once: yes; dispatched +42
queue.push.published: producer killed; its tasks that ran: {"1":1,"2":1}; other tasks: 40 values, each ran once: yes; dispatched +42
spill.create: producer killed; its tasks that ran: {"1":1,"2":1}; other tasks: 40 values, each ran once: yes; dispatched +42
dispatch.spilled: producer killed; its tasks that ran: {"1":1,"2":1}; other tasks: 40 values, each ran once: yes; dispatched +42
string(2) "ko"
int(0)
array(0) {
}
