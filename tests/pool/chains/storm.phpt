--TEST--
Chains under worker kills: 300 chains of three links, each link with retries, while workers are killed (SIGKILL) at random from outside; every chain ends with the value of its last link, each link having had the previous one's, and stats() are exact: 300 dispatched and completed, and "retried" is the sum over all links of their runs before the last
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

$tmp = asynctask_test_dir('chain_storm');
ini_set('asynctask.tmpdir', $tmp);
AsyncTask\Pool::start();
$start = hrtime(true);
$link = function (array $runs) {
    usleep(2000);
    $runs[] = AsyncTask\context()->attempt();
    return $runs;
};
$n = 300;
$futures = [];
for ($i = 0; $i < $n; $i++) {
    $futures[$i] = (new Task(fn (int $i) => [$i, AsyncTask\context()->attempt()], $i))->withRetries(6, 0.005)
        ->then((new Task($link))->withRetries(6, 0.005))
        ->then((new Task($link))->withRetries(6, 0.005))
        ->then((new Task($link))->withRetries(6, 0.005))
        ->dispatch();
}
mt_srand(7);
$kills = 0;
while (asynctask_test_elapsed($start) < 25) {
    $done = 0;
    foreach ($futures as $f) {
        $done += $f->isDone();
    }
    if ($done === $n) {
        break;
    }
    $pids = AsyncTask\Pool::stats()['worker_pids'];
    if ($pids && $kills < 40) {
        posix_kill($pids[mt_rand(0, count($pids) - 1)], SIGKILL) && $kills++;
    }
    usleep(10000);
}
$bad = [];
$extra = 0;
foreach ($futures as $i => $f) {
    try {
        $runs = $f->wait(10);
        if ($runs[0] !== $i || count($runs) !== 5) {
            $bad[] = "$i: " . json_encode($runs);
        }
        foreach (array_slice($runs, 1) as $attempt) {
            $extra += $attempt - 1;
        }
    } catch (Throwable $e) {
        $bad[] = "$i: " . get_class($e) . ': ' . $e->getMessage();
    }
}
var_dump(array_slice($bad, 0, 5));
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed']);
// a link killed before it queued the next one ran again: every extra run was a retried one
var_dump($s['retried'] === $extra ?: "retried {$s['retried']}, extra runs $extra");
var_dump($kills > 5);
usleep(300000);
var_dump(count(glob("$tmp/*/spill-*")));
?>
--EXPECT--
array(0) {
}
int(300)
int(300)
int(0)
bool(true)
bool(true)
int(0)
