--TEST--
Task::withRetries(): a task that throws runs again in the pool, context()->attempt() one higher each run, until it succeeds; the Future settles once, with the value; stats() count one dispatch, one completion and the retries; a task that succeeds at once runs once; with a delay, the first run waits for it
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

AsyncTask\Pool::start();
$flaky = function (int $fails) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt <= $fails) {
        throw new RuntimeException("attempt $attempt failed");
    }
    return "succeeded at attempt $attempt";
};
$f = (new Task($flaky, 3))->withRetries(5, 0.01)->dispatch();
var_dump($f->wait(10));
var_dump($f->isDone(), $f->wait(0));   // settled once: the same value again

$once = (new Task($flaky, 0))->withRetries(5, 0.01)->dispatch();
var_dump($once->wait(10));

// with a delay too: the first run waits for it, then the retries follow
$start = hrtime(true);
var_dump((new Task($flaky, 1))->delay(0.2)->withRetries(2, 0.01)->dispatch()->wait(10));
var_dump(asynctask_test_elapsed($start) >= 0.2);

// without retries, attempt() is 1
var_dump(AsyncTask\dispatch(fn () => AsyncTask\context()->attempt())->wait(5));

$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['retried'], $s['cancelled']);
var_dump($s['completed'] + $s['failed'] + $s['cancelled'] === $s['dispatched']);
?>
--EXPECT--
string(22) "succeeded at attempt 4"
bool(true)
string(22) "succeeded at attempt 4"
string(22) "succeeded at attempt 1"
string(22) "succeeded at attempt 2"
bool(true)
int(1)
int(4)
int(4)
int(0)
int(4)
int(0)
bool(true)
