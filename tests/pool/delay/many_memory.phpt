--TEST--
100,000 delayed tasks held by the manager (twice: 200,000): what it holds beyond each task's own record (header and payload, measured in the shared queue) is at most 200 bytes a task (its RssAnon from /proc, before and after each 100,000), and a task with a named callable and a short argument costs at most 200 bytes in all; holding them costs the manager no busy CPU (utime+stime over a second); the plain path is not held up meanwhile
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!is_readable('/proc/self/status')) die('skip needs /proc');
// (valgrind and ASan run with USE_ZEND_ALLOC=0: other allocators, and minutes for 200,000 tasks)
if (getenv('USE_ZEND_ALLOC') === '0') die('skip measures memory with the plain allocators');
?>
--INI--
asynctask.workers=1
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

function rss(int $pid): int {
    // its own memory (RssAnon): VmRSS also counts the shared queue's pages it has read, as many as the ring has cycled through
    preg_match('/^RssAnon:\s+(\d+) kB/m', file_get_contents("/proc/$pid/status"), $m);
    return (int) $m[1] * 1024;
}

/* Bytes of one task's record in the ring: 100 copies queued behind a held worker. */
function record_size(callable $make, string $dir): float {
    $hold = AsyncTask\dispatch(fn (string $go) => asynctask_test_wait_for($go, 10), "$dir/go");
    while (AsyncTask\Pool::stats()['running'] < 1) {
        usleep(1000);
    }
    for ($i = 0; $i < 100; $i++) {
        $make($i)->dispatch();
    }
    $size = AsyncTask\Pool::stats()['queue_bytes_used'] / 100;
    asynctask_test_open("$dir/go");
    $hold->wait(10);
    while (AsyncTask\Pool::stats()['queued'] > 0) {
        usleep(10000);
    }
    unlink("$dir/go");
    return $size;
}

/* Dispatches 100,000 tasks of $make delayed an hour; the manager's memory once it has taken them. */
function hold_100000(callable $make, int $manager): int {
    for ($i = 0; $i < 100000; $i++) {
        $make($i)->delay(3600)->dispatch();
    }
    // the manager has taken them all out of the queue
    $deadline = hrtime(true) + 30e9;
    while (AsyncTask\Pool::stats()['queue_bytes_used'] > 0 && hrtime(true) < $deadline) {
        usleep(10000);
    }
    usleep(100000);
    return rss($manager);
}

/* [the manager's memory per delayed task, its record's size, ...]: the larger of what the first and
 * the second 100,000 tasks of $make added (the first may reuse free memory the manager had) */
function measure(callable $make, string $dir): array {
    AsyncTask\Pool::start();
    $record = record_size($make, $dir);
    $manager = AsyncTask\Pool::stats()['manager_pid'];
    usleep(100000);
    $before = rss($manager);
    $first = hold_100000($make, $manager);
    $after = hold_100000($make, $manager);
    $ticks = cpu_ticks($manager);
    usleep(1000000);
    $ticks = cpu_ticks($manager) - $ticks;   // clock ticks of 10 ms
    $t = hrtime(true);
    $plain = AsyncTask\dispatch('strrev', 'abc')->wait(5);
    $plain_s = (hrtime(true) - $t) / 1e9;
    AsyncTask\Pool::stop();
    return [max($first - $before, $after - $first) / 100000, $record, $plain === 'cba' && $plain_s < 1.0, $ticks];
}

$dir = asynctask_test_dir('delay_memory');
$named = measure(fn (int $i) => new Task('strlen', 'x'), $dir);
$closure = measure(fn (int $i) => new Task(fn (int $i) => touch("/nonexistent/ran-$i"), $i), $dir);
foreach (['named' => $named, 'closure' => $closure] as $kind => [$each, $record, $plain_ok, $ticks]) {
    $beyond = $each - $record;
    var_dump($beyond <= 200, $plain_ok, $ticks <= 5 ?: "manager used $ticks ticks in a second");
    if ($beyond > 200) {
        printf("%s: %.0f bytes each, %.0f of them the record\n", $kind, $each, $record);
    }
    if (getenv('ASYNCTASK_TEST_REPORT')) {
        fprintf(STDERR, "%s: %.0f bytes each in the manager, record %.0f, beyond it %.0f; %d ticks in 1 s\n", $kind, $each,
            $record, $beyond, $ticks);
    }
}
var_dump($named[0] <= 200 ?: sprintf('named: %.0f bytes each', $named[0]));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
