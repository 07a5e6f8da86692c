--TEST--
Fault injection, delayed tasks: a producer killed at each point of pushing a delayed task loses only the task it had not committed; the ones it committed are taken by the manager and run once when due; the other producers' delayed tasks run once, never early
--EXTENSIONS--
asynctask
pcntl
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;
use AsyncTask\Task;

$tmp = asynctask_test_dir('delayed_producer_killed');
ini_set('asynctask.tmpdir', $tmp);
Pool::start();
foreach (['queue.push.reserved', 'queue.push.copied', 'queue.push.published'] as $point) {
    $dir = "$tmp/$point";
    mkdir($dir);
    $pid = pcntl_fork();
    if ($pid === 0) {
        // dies the 3rd time it passes $point: tasks 1 and 2 are queued, task 3 is not
        putenv("ASYNCTASK_FAULT=$point:3");
        for ($n = 1; $n <= 5; $n++) {
            (new Task('fault_test_task', $dir, $n, ''))->delay(0.2)->dispatch();
        }
        exit(0);
    }
    $mine = [];
    for ($n = 100; $n < 120; $n++) {
        $t0 = hrtime(true);
        $mine[$n] = [$t0, (new Task(function (string $dir, int $n) {
            fault_test_task($dir, $n, '');
            return hrtime(true);
        }, $dir, $n))->delay(0.1)->dispatch()];
    }
    pcntl_waitpid($pid, $status);
    $early = 0;
    foreach ($mine as [$t0, $f]) {
        $early += $f->wait(10) < $t0 + 100000000;
    }
    usleep(500000);   // the child's were due 0.2 s after it dispatched them
    fault_test_wait_idle();
    $runs = fault_test_runs($dir);
    printf("%s: producer %s; its tasks that ran: %s; mine: %d ran, each once: %s, early: %d\n", $point,
        pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGKILL ? 'killed' : 'NOT killed',
        json_encode(array_filter($runs, fn ($n) => $n < 100, ARRAY_FILTER_USE_KEY)),
        count(array_filter($runs, fn ($n) => $n >= 100, ARRAY_FILTER_USE_KEY)),
        array_values(array_unique(array_filter($runs, fn ($n) => $n >= 100, ARRAY_FILTER_USE_KEY))) === [1] ? 'yes' : 'NO',
        $early);
}
$s = Pool::stats();
var_dump($s['failed'], $s['queued']);
?>
--EXPECT--
queue.push.reserved: producer killed; its tasks that ran: {"1":1,"2":1}; mine: 20 ran, each once: yes, early: 0
queue.push.copied: producer killed; its tasks that ran: {"1":1,"2":1}; mine: 20 ran, each once: yes, early: 0
queue.push.published: producer killed; its tasks that ran: {"1":1,"2":1}; mine: 20 ran, each once: yes, early: 0
int(0)
int(0)
