--TEST--
Task::then() when nobody waits: a chain dispatched by a process that exits at once (a forked dispatcher; one killed with SIGKILL) runs to its end in the pool, each link with the previous value; the pool's owner sees the last link's side effect; its result, with nobody to take it, counts as dropped
--EXTENSIONS--
asynctask
pcntl
posix
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('chain_gone');
AsyncTask\Pool::start();
$children = [];
foreach (['exits', 'killed'] as $how) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        (new Task(function (string $dir) {
            usleep(200000);   // the dispatcher is gone before the first link ends
            return [$dir, 1];
        }, $dir))
            ->then(fn (array $s) => [$s[0], $s[1] + 1])
            ->then(function (array $s) use ($how) {
                asynctask_test_open("{$s[0]}/$how", "$how: " . ($s[1] + 1) . ' links');
                return 'done';
            })
            ->dispatch();
        if ($how === 'killed') {
            posix_kill(getmypid(), SIGKILL);
        }
        exit(0);
    }
    $children[] = $pid;
}
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
}
foreach (['exits', 'killed'] as $how) {
    var_dump(asynctask_test_wait_for("$dir/$how", 20));
    echo file_get_contents("$dir/$how"), "\n";
}
$deadline = hrtime(true) + 5e9;
while ((AsyncTask\Pool::stats()['completed'] < 2 || AsyncTask\Pool::stats()['dropped_results'] < 2)
        && hrtime(true) < $deadline) {
    usleep(10000);
}
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['dropped_results']);
?>
--EXPECT--
bool(true)
exits: 3 links
bool(true)
killed: 3 links
int(2)
int(2)
int(0)
int(2)
