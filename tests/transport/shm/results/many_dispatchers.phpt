--TEST--
More dispatching processes than mailboxes (64): those without one get their results through their pipe; every result reaches its own process, and the mailboxes of exited processes are free again
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
$dir = asynctask_test_dir('many_dispatchers');
AsyncTask\Pool::start();
var_dump(AsyncTask\dispatch(fn () => 'parent')->wait(10));  // the parent holds a mailbox too

// 70 children (the parent's mailbox and 63 more are taken, 7 are left without one), each
// waits until all have dispatched (so all hold their mailbox, or none, at once)
$children = [];
for ($c = 0; $c < 70; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $mine = [];
        for ($i = 0; $i < 20; $i++) {
            $mine[] = AsyncTask\dispatch(fn (int $c, int $i) => "$c:$i", $c, $i);
        }
        touch("$dir/dispatched-$c");
        while (count(glob("$dir/dispatched-*")) < 70 || !file_exists("$dir/counted")) {
            usleep(2000);
        }
        $ok = AsyncTask\Future::all($mine, 30) === array_map(fn ($i) => "$c:$i", range(0, 19));
        exit($ok ? 0 : 1);
    }
    $children[] = $pid;
}
if (!isset($counted)) {
    // all 71 processes have dispatched: the mailboxes are all taken
    while (count(glob("$dir/dispatched-*")) < 70) {
        usleep(2000);
    }
    var_dump(AsyncTask\Pool::stats()['mailboxes_used']);
    touch("$dir/counted");
    $counted = true;
}
$good = 0;
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
    $good += pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0;
}
var_dump($good);

// they gave their mailboxes back as they exited: 70 new processes get their results again
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['dropped_results']);
$children = [];
for ($c = 0; $c < 70; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        exit(AsyncTask\dispatch('strrev', "$c")->wait(30) === strrev("$c") ? 0 : 1);
    }
    $children[] = $pid;
}
$good = 0;
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
    $good += pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0;
}
var_dump($good);
var_dump(AsyncTask\dispatch(fn () => 'parent again')->wait(10));
var_dump(AsyncTask\Pool::stats()['mailboxes_used']);  // the parent's
?>
--EXPECT--
string(6) "parent"
int(64)
int(70)
int(1401)
int(1401)
int(0)
int(70)
string(12) "parent again"
int(1)
