--TEST--
Task::withRetries() with a time limit (withTimeout()): a run killed past its limit runs again; when no run is left, TaskTimeoutException of the last run says how many attempts
--EXTENSIONS--
asynctask
--INI--
pcre.jit=0
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

AsyncTask\Pool::start();
$slow = function (int $until) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < $until) {
        sleep(30);
    }
    return "attempt $attempt";
};
$start = hrtime(true);
var_dump((new Task($slow, 2))->withTimeout(0.3)->withRetries(2, 0.01)->dispatch()->wait(20));
try {
    (new Task($slow, 9))->withTimeout(0.3)->withRetries(1, 0.01)->dispatch()->wait(20);
} catch (AsyncTask\TaskTimeoutException $e) {
    echo get_class($e), ': ', preg_replace('/\d+/', 'N', $e->getMessage()), "\n";
    var_dump($e->getAttempts());
}
var_dump(asynctask_test_elapsed($start) < 10);
$s = AsyncTask\Pool::stats();
var_dump($s['completed'], $s['failed'], $s['timed_out'], $s['retried']);
?>
--EXPECT--
string(9) "attempt 2"
AsyncTask\TaskTimeoutException: task N exceeded its time limit of N.N s; its worker (pid N) was killed (after N attempts)
int(2)
bool(true)
int(1)
int(1)
int(1)
int(2)
