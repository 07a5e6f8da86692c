--TEST--
Future::cancel() of a task waiting for its next run (Task::withRetries()): true, and it never runs again (wait() says it was cancelled, its file goes); cancelling it while a run is under way is too late (false), and it goes on; stats() stay exact (completed + failed + cancelled = dispatched; the failed runs before count as retried)
--EXTENSIONS--
asynctask
--INI--
pcre.jit=0
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('retry_cancel');
$tmp = asynctask_test_dir('retry_cancel_tmp');
ini_set('asynctask.tmpdir', $tmp);
AsyncTask\Pool::start();
$task = function (string $dir, string $name, bool $hold) {
    $attempt = AsyncTask\context()->attempt();
    touch("$dir/$name-$attempt");
    if ($hold) {
        asynctask_test_wait_for("$dir/go-$name");
    }
    if ($attempt < 3) {
        throw new RuntimeException("attempt $attempt");
    }
    return "$name at attempt $attempt";
};

// waiting for its second run (a long backoff): cancelled
$f = (new Task($task, $dir, 'waits', false))->withRetries(3, [30])->dispatch();
var_dump(asynctask_test_wait_for("$dir/waits-1", 10));
usleep(100000);   // its run ends and its next one is held
var_dump($f->cancel());
try {
    $f->wait(5);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), ': ', preg_replace('/\d+/', 'N', $e->getMessage()), "\n";
}
var_dump(file_exists("$dir/waits-2"));

// under way: too late, it goes on and succeeds
$g = (new Task($task, $dir, 'runs', true))->withRetries(3, 0.01)->dispatch();
var_dump(asynctask_test_wait_for("$dir/runs-1", 10));
var_dump($g->cancel());
asynctask_test_open("$dir/go-runs");
var_dump($g->wait(10));

$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['cancelled'], $s['retried']);
var_dump($s['completed'] + $s['failed'] + $s['cancelled'] === $s['dispatched']);
usleep(200000);
var_dump(glob("$tmp/*/spill-*"));
?>
--EXPECT--
bool(true)
bool(true)
AsyncTask\Exception: task N was cancelled before it ran
bool(false)
bool(true)
bool(false)
string(17) "runs at attempt 3"
int(2)
int(1)
int(0)
int(1)
int(3)
bool(true)
array(0) {
}
