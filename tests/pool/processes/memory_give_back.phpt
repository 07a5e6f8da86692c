--TEST--
A worker hands memory back after a task that needed much of it: its resident size falls back near where it started once the task ended, while small tasks keep the memory they use
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!is_readable('/proc/self/status')) die('skip needs /proc');
if (getenv('USE_ZEND_ALLOC') === '0') die('skip measures the Zend allocator, which valgrind and ASan runs turn off');
?>
--INI--
memory_limit=512M
--FILE--
<?php
function rss_kb(int $pid): int {
    preg_match('/^VmRSS:\s+(\d+) kB/m', file_get_contents("/proc/$pid/status"), $m);
    return (int) $m[1];
}
AsyncTask\Pool::start(1);
$pid = AsyncTask\dispatch(fn() => getmypid())->wait();
$start = rss_kb($pid);

// ~80 MB in small allocations (a million short strings) plus a 16 MB string
$peak = AsyncTask\dispatch(function () {
    $a = [];
    for ($i = 0; $i < 1000000; $i++) {
        $a[] = str_repeat('x', 40) . $i;
    }
    $big = str_repeat('y', 16 << 20);
    preg_match('/^VmRSS:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
    return [(int) $m[1], count($a), strlen($big)];     // measured while both are alive
})->wait()[0];
var_dump($peak - $start > 60 * 1024);            // the task did use the memory

AsyncTask\dispatch(fn() => 1)->wait();            // the worker is past the big task's end
$after = rss_kb($pid);
var_dump($after - $start < 12 * 1024);            // and gave it back
if ($after - $start >= 12 * 1024) {
    echo "start $start kB, peak $peak kB, after $after kB\n";
}

// small tasks do not trigger a give-back: the same worker, its memory steady
for ($i = 0; $i < 2000; $i++) {
    AsyncTask\dispatch(fn($x) => str_repeat('z', 100) . $x, $i)->wait();
}
var_dump(abs(rss_kb($pid) - $after) < 4 * 1024);
AsyncTask\Pool::stop();
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
