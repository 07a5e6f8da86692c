--TEST--
A retry storm: 1,000 tasks that each throw on their first two runs (Task::withRetries()), while workers are killed (SIGKILL) at random from outside; every Future settles once with its task's value, and stats() are exact: 1,000 dispatched and completed, nothing failed or cancelled, and "retried" is the sum over the tasks of their runs before the last
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=4
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$tmp = asynctask_test_dir('retry_storm');
ini_set('asynctask.tmpdir', $tmp);
AsyncTask\Pool::start();
$start = hrtime(true);
$n = 1000;
$futures = [];
for ($i = 0; $i < $n; $i++) {
    $futures[$i] = (new Task(function (int $i) {
        $attempt = AsyncTask\context()->attempt();
        usleep(2000);   // long enough for the kills to hit tasks under way
        if ($attempt <= 2) {
            throw new RuntimeException("task $i, attempt $attempt");
        }
        return [$i, $attempt];
    }, $i))->withRetries(8, 0.01)->dispatch();
}

// kill a random worker every 10 ms (60 at most) until every task has settled
mt_srand(42);
$kills = 0;
$settled = [];
while (count($settled) < $n && asynctask_test_elapsed($start) < 25) {
    foreach ($futures as $i => $f) {
        if (!isset($settled[$i]) && $f->isDone()) {
            $settled[$i] = true;
        }
    }
    $pids = AsyncTask\Pool::stats()['worker_pids'];
    if ($pids && $kills < 60) {
        posix_kill($pids[mt_rand(0, count($pids) - 1)], SIGKILL) && $kills++;
    }
    usleep(10000);
}

$values = 0;
$runs_before_last = 0;
$bad = [];
foreach ($futures as $i => $f) {
    try {
        [$id, $attempt] = $f->wait(10);
        if ($id !== $i || $attempt < 3) {
            $bad[] = "$i: got task $id at attempt $attempt";
        }
        $values++;
        $runs_before_last += $attempt - 1;
    } catch (Throwable $e) {
        $bad[] = "$i: " . get_class($e) . ': ' . $e->getMessage();
    }
}
var_dump($values, array_slice($bad, 0, 5));
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['cancelled']);
var_dump($s['retried'] === $runs_before_last ?: "retried {$s['retried']}, runs before the last $runs_before_last");
var_dump($kills > 10, asynctask_test_elapsed($start) < 30);
usleep(300000);
var_dump(count(glob("$tmp/*/spill-*")));
?>
--EXPECT--
int(1000)
array(0) {
}
int(1000)
int(1000)
int(0)
int(0)
bool(true)
bool(true)
bool(true)
int(0)
