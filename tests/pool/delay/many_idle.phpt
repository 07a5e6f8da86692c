--TEST--
10,000 delayed tasks are held by the manager, out of the shared queue (queued 0, the ring nearly empty), and cost it no busy CPU while they wait (utime+stime from /proc over a second); a plain task still runs at once; Pool::stop() fails those not yet due with TaskFailedException saying so, and they never run
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!is_readable('/proc/self/stat')) die('skip needs /proc');
?>
--INI--
asynctask.workers=2
asynctask.queue_size=1M
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

function cpu_ticks(int $pid): int {
    // fields 14 and 15 (utime, stime) after the command name in parentheses
    $stat = file_get_contents("/proc/$pid/stat");
    $fields = explode(' ', substr($stat, strrpos($stat, ')') + 2));
    return (int) $fields[11] + (int) $fields[12];
}
$dir = asynctask_test_dir('delay_many');
AsyncTask\Pool::start();
$manager = AsyncTask\Pool::stats()['manager_pid'];

$futures = [];
for ($i = 0; $i < 10000; $i++) {
    // 10,000 x ~300 bytes would not fit in this 1 MB queue if they stayed there
    $futures[] = (new Task(fn (int $i) => touch("$dir/ran-$i"), $i))->delay(60 + $i / 1000)->dispatch();
}
var_dump(AsyncTask\dispatch('strrev', 'abc')->wait(5));
usleep(200000);    // the manager has taken them all (it was woken for the first)
$s = AsyncTask\Pool::stats();
var_dump($s['queued'], $s['queue_bytes_used'] < 64 * 1024);

$before = cpu_ticks($manager);
usleep(1000000);
$used = cpu_ticks($manager) - $before;
var_dump($used <= 5);   // clock ticks of 10 ms: at most 50 ms of CPU in that second (0 or 1 measured)
if ($used > 5) {
    echo "manager used $used ticks\n";
}

$t = hrtime(true);
AsyncTask\Pool::stop();
var_dump((hrtime(true) - $t) / 1e9 < 10);
$failed = 0;
$message = '';
foreach ($futures as $f) {
    try {
        $f->wait(0);
    } catch (AsyncTask\TaskFailedException $e) {
        $failed++;
        $message = $e->getMessage();
    }
}
// the owner's Futures say the pool stopped (a dispatcher that is not the owner gets the manager's
// own words: "the pool stopped before the task's delay (Task::delay()) ended: it never ran")
var_dump($failed, (bool) preg_match('/^the pool stopped before /', $message), count(glob("$dir/ran-*")));
?>
--EXPECT--
string(3) "cba"
int(0)
bool(true)
bool(true)
bool(true)
int(10000)
bool(true)
int(0)
