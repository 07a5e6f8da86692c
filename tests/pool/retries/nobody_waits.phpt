--TEST--
Task::withRetries() when nobody waits: the Future is dropped at once and the task still runs again in the pool until it succeeds (its side effect appears); stats() count it completed
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('retry_nobody_waits');
AsyncTask\Pool::start();
(new Task(function (string $dir) {
    $attempt = AsyncTask\context()->attempt();
    touch("$dir/attempt$attempt");
    if ($attempt < 3) {
        throw new RuntimeException('not yet');
    }
    asynctask_test_open("$dir/done", "done at attempt $attempt");   // atomically: the test reads it at once
}, $dir))->withRetries(4, 0.05)->dispatch();   // the Future goes at once

var_dump(asynctask_test_wait_for("$dir/done", 20));
echo file_get_contents("$dir/done"), "\n";
$deadline = hrtime(true) + 5e9;
while (AsyncTask\Pool::stats()['completed'] < 1 && hrtime(true) < $deadline) {
    usleep(10000);
}
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['retried']);
var_dump(file_exists("$dir/attempt4"));
?>
--EXPECT--
bool(true)
done at attempt 3
int(1)
int(1)
int(0)
int(2)
bool(false)
