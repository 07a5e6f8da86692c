--TEST--
Task time limits: withTimeout(0.5) and asynctask.task_timeout end a task with TaskTimeoutException naming the limit, within 0.5 s of the limit (also when the task ignores SIGTERM)
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=1
asynctask.task_timeout=0.7
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

// the promise: the caller has the exception within 0.5 s of the limit (under valgrind,
// where everything is tens of times slower, only that it comes)
$slack = getenv('USE_ZEND_ALLOC') === '0' ? 10.0 : 0.5;
$start = hrtime(true);
try {
    (new Task('sleep', 30))->withTimeout(0.5)->dispatch()->wait();
    echo "no exception\n";
} catch (AsyncTask\TaskTimeoutException $e) {
    $took = asynctask_test_elapsed($start);
    var_dump($e instanceof AsyncTask\TaskFailedException, str_contains($e->getMessage(), '0.5'));
    var_dump($took >= 0.45 && $took < 0.5 + $slack);
}

// asynctask.task_timeout applies when the task sets none
$start = hrtime(true);
try {
    AsyncTask\dispatch(function () { sleep(30); return 'woke up'; })->wait();
    echo "no exception\n";
} catch (AsyncTask\TaskTimeoutException $e) {
    $took = asynctask_test_elapsed($start);
    var_dump(str_contains($e->getMessage(), '0.7'), $took >= 0.65 && $took < 0.7 + $slack);
}

// a busy task that ignores SIGTERM is still ended (SIGKILL after the grace period)
$start = hrtime(true);
try {
    (new Task(function () {
        pcntl_signal(SIGTERM, SIG_IGN);
        while (true) { hash('sha256', 'spin'); }
    }))->withTimeout(0.3)->dispatch()->wait();
    echo "no exception\n";
} catch (AsyncTask\TaskTimeoutException $e) {
    var_dump(str_contains($e->getMessage(), '0.3'), asynctask_test_elapsed($start) < 0.3 + $slack);
}

// withTimeout(0) lifts the ini limit; a task within its limit is untouched
var_dump((new Task(function () { usleep(900000); return 'slept'; }))->withTimeout(0)->dispatch()->wait());
var_dump((new Task('strrev', 'ok'))->withTimeout(5)->dispatch()->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['timed_out'], $s['failed'], $s['crashed']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(5) "slept"
string(2) "ko"
int(3)
int(3)
int(0)
