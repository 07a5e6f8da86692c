--TEST--
Fault injection, priorities: workers killed while taking tasks of mixed levels out of turn (a HIGH one behind waiting LOW ones: queue.take.out_of_turn, after it is marked taken) and at the other points of a take: the take is rolled back with the levels' lists, every task runs exactly once with its value, cancelled ones never, and stats() agree
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;
use AsyncTask\Task;

$tmp = asynctask_test_dir('priorities_killed');
ini_set('asynctask.tmpdir', $tmp);
ini_set('asynctask.log', "$tmp/asynctask.log");
foreach (['queue.take.out_of_turn', 'queue.take.claimed', 'queue.take.done'] as $point) {
    $dir = "$tmp/$point";
    mkdir($dir);
    // every worker (and every replacement) dies the 3rd time it passes $point
    putenv("ASYNCTASK_FAULT=$point:3");
    Pool::start();
    putenv('ASYNCTASK_FAULT');
    // both workers held, so that the tasks below wait and are taken by level, not in ring order
    $held = [];
    for ($w = 0; $w < 2; $w++) {
        $held[] = AsyncTask\dispatch(function (string $dir) {
            return asynctask_test_wait_for("$dir/go");
        }, $dir);
    }
    $futures = [];
    $cancelled = 0;
    for ($n = 1; $n <= 45; $n++) {
        $f = (new Task(fn (string $dir, int $n) => fault_test_task($dir, $n, str_repeat('x', $n)), $dir, $n))
            ->withPriority([Task::LOW, Task::NORMAL, Task::HIGH][$n % 3])
            ->dispatch();
        if ($n % 10 === 0 && $f->cancel()) {
            $cancelled++;
            continue;
        }
        $futures[$n] = $f;
    }
    asynctask_test_open("$dir/go");
    $values = 0;
    foreach ($futures as $n => $f) {
        $values += $f->wait(20) === [$n, $n];
    }
    foreach ($held as $f) {
        $f->wait(20);
    }
    $s = fault_test_wait_idle();
    $runs = fault_test_runs($dir);
    printf("%s: values %d of %d; every task ran once: %s; cancelled never ran: %s; stats match: %s; workers died: %s\n",
        $point, $values, count($futures),
        array_keys($runs) === array_keys($futures) && array_values(array_unique($runs)) === [1] ? 'yes' : json_encode($runs),
        $cancelled === 4 ? 'yes' : "$cancelled cancelled",
        [$s['dispatched'], $s['completed'], $s['failed'], $s['cancelled']] === [47, 43 - $cancelled + 4, 0, $cancelled]
            ? 'yes' : json_encode($s),
        $s['respawned'] > 0 ? 'yes' : 'no');
    Pool::stop();
    var_dump(fault_test_leftovers($tmp));
}
?>
--EXPECT--
queue.take.out_of_turn: values 41 of 41; every task ran once: yes; cancelled never ran: yes; stats match: yes; workers died: yes
array(0) {
}
queue.take.claimed: values 41 of 41; every task ran once: yes; cancelled never ran: yes; stats match: yes; workers died: yes
array(0) {
}
queue.take.done: values 41 of 41; every task ran once: yes; cancelled never ran: yes; stats match: yes; workers died: yes
array(0) {
}
