--TEST--
pcntl_fork() inside a task: the child is a plain process (it never posts a result, never takes a task, never touches its parent's slot or counts); however it ends (return, exit(), an uncaught exception, a fatal error), now or after its parent went on to another task, every Future gets its own result and stats() stay exact
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('fork_in_task');
Pool::start();
$manager = Pool::stats()['manager_pid'];
$worker = Pool::stats()['worker_pids'];

// How the child ends once the task's function returns in it (or does not).
function child_ends(string $how): mixed
{
    switch ($how) {
        case 'return': return "the child's value";
        case 'exit': exit(5);
        case 'throw': throw new RuntimeException("the child's exception");
        case 'fatal': trigger_error("the child's fatal error", E_USER_ERROR);
    }
}

$ways = ['return', 'exit', 'throw', 'fatal'];

// 1. the child ends at once, while its parent waits for it: the parent's value is the task's
foreach ($ways as $how) {
    $f = AsyncTask\dispatch(function (string $how) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            return child_ends($how);
        }
        pcntl_waitpid($pid, $status);
        return "parent; child status " . pcntl_wexitstatus($status);
    }, $how);
    echo "$how now: ", $f->wait(10), "\n";
}

// 2. the child ends later, while its parent runs the next task (one worker): that task is untouched
foreach ($ways as $how) {
    $gate = "$dir/gate-$how";
    $child = AsyncTask\dispatch(function (string $how, string $gate) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            asynctask_test_wait_for($gate, 10);
            return child_ends($how);
        }
        return $pid;
    }, $how, $gate)->wait(10);
    $next = AsyncTask\dispatch(function (int $child, string $gate) {
        asynctask_test_open($gate);
        pcntl_waitpid($child, $status);
        return "next task; child status " . pcntl_wexitstatus($status);
    }, $child, $gate);
    echo "$how later: ", $next->wait(10), "\n";
}

// nothing came from the children: no stray result, the worker and the manager are the same
$s = Pool::stats();
printf("dispatched %d, completed %d, failed %d, respawned %d, same processes: %s\n",
    $s['dispatched'], $s['completed'], $s['failed'], $s['respawned'],
    var_export($s['manager_pid'] === $manager && $s['worker_pids'] === $worker, true));
var_dump(AsyncTask\dispatch('strrev', 'ok')->wait(5));
?>
--EXPECT--
return now: parent; child status 0
exit now: parent; child status 5
throw now: parent; child status 255
fatal now: parent; child status 255
return later: next task; child status 0
exit later: next task; child status 5
throw later: next task; child status 255
fatal later: next task; child status 255
dispatched 12, completed 12, failed 0, respawned 0, same processes: true
string(2) "ko"
