--TEST--
measure
--FILE--
<?php
require __DIR__ . '/e2e.inc';
use AsyncTask\Task;
$dir = asynctask_test_dir('measure');
$ini = e2e_ini('measure');
e2e_dispatcher($ini);
[$pa, $pida] = e2e_node($dir, 'a', $ini, 2);
usleep(500000);
$late = [];
for ($round = 0; $round < 200; $round++) {
    $d = mt_rand(10, 300) / 1000;
    $t = microtime(true);
    $at = (new Task(fn () => microtime(true)))->delay($d)->dispatch()->wait(10);
    $late[] = ($at - $t - $d) * 1000;
}
sort($late);
printf("delay lateness ms: min %.1f median %.1f p99 %.1f max %.1f\n", $late[0], $late[100], $late[197], $late[199]);
// priority: plain round trip vs HIGH round trip
foreach ([null, Task::HIGH, Task::LOW] as $p) {
    $rt = [];
    for ($i = 0; $i < 300; $i++) {
        $t = hrtime(true);
        $task = new Task('strlen', 'x');
        if ($p !== null) $task->withPriority($p);
        $task->dispatch()->wait(10);
        $rt[] = (hrtime(true) - $t) / 1e6;
    }
    sort($rt);
    printf("round trip %s ms: min %.2f median %.2f max %.2f\n", var_export($p, true), $rt[0], $rt[150], $rt[299]);
}
posix_kill($pida, SIGTERM);
e2e_reap($pa);
asynctask_test_rmdir($dir);
?>
--EXPECT--
x
