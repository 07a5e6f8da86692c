--TEST--
Task::withRetries() across Pool::reload() and Pool::stop(): the manager holds a task waiting for its next run, so a reload (which replaces only the workers) keeps it and it runs again on a new worker; a stop fails it (it never runs again) and its file goes
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('retry_reload');
$tmp = asynctask_test_dir('retry_reload_tmp');
ini_set('asynctask.tmpdir', $tmp);
AsyncTask\Pool::start();
$task = function (string $dir, string $name) {
    $attempt = AsyncTask\context()->attempt();
    touch("$dir/$name-$attempt");
    if ($attempt < 2) {
        throw new RuntimeException("attempt $attempt");
    }
    return [$attempt, getmypid()];
};

$f = (new Task($task, $dir, 'reload'))->withRetries(2, [0.5])->dispatch();
var_dump(asynctask_test_wait_for("$dir/reload-1", 10));
$before = AsyncTask\Pool::stats()['worker_pids'];
AsyncTask\Pool::reload();
[$attempt, $pid] = $f->wait(10);
var_dump($attempt, in_array($pid, $before, true));

$g = (new Task($task, $dir, 'stop'))->withRetries(2, [30])->dispatch();
var_dump(asynctask_test_wait_for("$dir/stop-1", 10));
usleep(100000);
AsyncTask\Pool::stop(5);
try {
    $g->wait(5);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), "\n";
}
var_dump(file_exists("$dir/stop-2"), glob("$tmp/*/spill-*"));
?>
--EXPECT--
bool(true)
int(2)
bool(false)
bool(true)
AsyncTask\TaskFailedException
bool(false)
array(0) {
}
