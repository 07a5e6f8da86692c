--TEST--
Fault injection, named queues: workers of two queues killed in the middle of their takes (queue.take.claimed, queue.take.done): the manager rolls back the take in the dead worker's own queue, every task runs exactly once and in its queue, the dead workers are replaced in their queues, and each queue's stats agree
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.queues="a:2,b:1"
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;
use AsyncTask\Task;

$tmp = asynctask_test_dir('queues_killed');
ini_set('asynctask.tmpdir', $tmp);
ini_set('asynctask.log', "$tmp/asynctask.log");
foreach (['queue.take.claimed', 'queue.take.done'] as $point) {
    $dir = "$tmp/$point";
    mkdir($dir);
    // every worker (and every replacement) dies the 3rd time it passes $point
    putenv("ASYNCTASK_FAULT=$point:3");
    Pool::start();
    putenv('ASYNCTASK_FAULT');
    $futures = [];
    $queueOf = [];
    for ($n = 1; $n <= 40; $n++) {
        $queueOf[$n] = $n % 3 === 0 ? 'b' : 'a';
        $futures[$n] = (new Task(fn (string $dir, int $n) => [AsyncTask\context()->queue(), fault_test_task($dir, $n, str_repeat('x', $n))],
            $dir, $n))->onQueue($queueOf[$n])->dispatch();
    }
    $right = 0;
    foreach ($futures as $n => $f) {
        $right += $f->wait(20) === [$queueOf[$n], [$n, $n]];
    }
    $s = fault_test_wait_idle();
    $runs = fault_test_runs($dir);
    $a = $s['queues']['a'];
    $b = $s['queues']['b'];
    printf("%s: right values in the right queue %d of 40; every task ran once: %s; stats: %s; workers died in both queues: %s; back to 2 + 1: %s\n",
        $point, $right,
        array_keys($runs) === range(1, 40) && array_values(array_unique($runs)) === [1] ? 'yes' : json_encode($runs),
        [$a['dispatched'], $a['completed'], $b['dispatched'], $b['completed'], $s['failed'], $s['crashed']] === [27, 27, 13, 13, 0, 0]
            ? 'yes' : json_encode($s['queues']),
        $a['respawned'] > 0 && $b['respawned'] > 0 && $s['respawned'] === $a['respawned'] + $b['respawned'] ? 'yes' : 'no',
        $a['workers'] === 2 && $b['workers'] === 1 ? 'yes' : "{$a['workers']} + {$b['workers']}");
    Pool::stop();
    var_dump(fault_test_leftovers($tmp));
}
?>
--EXPECT--
queue.take.claimed: right values in the right queue 40 of 40; every task ran once: yes; stats: yes; workers died in both queues: yes; back to 2 + 1: yes
array(0) {
}
queue.take.done: right values in the right queue 40 of 40; every task ran once: yes; stats: yes; workers died in both queues: yes; back to 2 + 1: yes
array(0) {
}
