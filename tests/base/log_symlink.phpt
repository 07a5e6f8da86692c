--TEST--
asynctask.log that is a symlink is not followed (a pool of root's would append to its target): the manager's lines and the tasks' output go to stderr instead
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('log_symlink');
file_put_contents("$dir/target", '');
symlink("$dir/target", "$dir/asynctask.log");
ini_set('asynctask.log', "$dir/asynctask.log");

var_dump(AsyncTask\dispatch(function () {
    echo "TASK-OUTPUT\n";
    trigger_error('TASK-WARNING', E_USER_WARNING);
    return 1;
})->wait(10));
try {
    AsyncTask\dispatch(fn () => posix_kill(getmypid(), SIGKILL))->wait(10);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo "crashed\n";
}
Pool::stop();
var_dump(filesize("$dir/target"), is_link("$dir/asynctask.log"));
?>
--EXPECTF--
%ATASK-OUTPUT
%ATASK-WARNING%A
int(1)
%Akilled by signal 9%A
crashed
int(0)
bool(true)
