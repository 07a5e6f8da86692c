--TEST--
asynctask.max_memory: a worker that holds more than the limit after a task is replaced before it takes another (its pid changes, nothing is lost, the log says why); below the limit it stays
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (getenv('USE_ZEND_ALLOC') === '0') die('skip measures the Zend allocator, which valgrind and ASan runs turn off');
?>
--INI--
asynctask.workers=1
asynctask.max_memory=24M
memory_limit=256M
--FILE--
<?php
$log = sys_get_temp_dir() . '/asynctask-max-memory-' . getmypid() . '.log';
@unlink($log);
ini_set('asynctask.log', $log);

// each task keeps 8 MB alive in the worker (a global kept across tasks)
$grow = function (int $i) {
    $GLOBALS['kept'][] = str_repeat(chr(65 + $i), 8 << 20);
    return [getmypid(), count($GLOBALS['kept']), memory_get_usage(true)];
};
$small = fn () => getmypid();

$first = AsyncTask\dispatch($small)->wait();
var_dump(AsyncTask\dispatch($small)->wait() === $first);      // below the limit: the same worker

$pids = [];
$held = [];
for ($i = 0; $i < 6; $i++) {
    [$pid, $count, $bytes] = AsyncTask\dispatch($grow, $i)->wait();
    $pids[] = $pid;
    $held[] = $count;
}
// 8 MB, 16 MB (below 24M: the same worker), 24 MB + what it had (over: replaced) ...
var_dump($held);
var_dump($pids[0] === $first, $pids[1] === $first, $pids[2] === $first, $pids[3] !== $first);
var_dump($pids[3] === $pids[4], $pids[4] === $pids[5]);      // the new worker, until it is over too
$next = AsyncTask\dispatch($small)->wait();
var_dump($next !== $pids[5]);

$s = AsyncTask\Pool::stats();
var_dump($s['completed'], $s['failed'], $s['respawned']);
AsyncTask\Pool::stop();
var_dump(preg_match_all('/worker replaced after task \d+: it holds \d+ bytes, over asynctask\.max_memory \(25165824\)/',
    file_get_contents($log)));
@unlink($log);
?>
--EXPECT--
bool(true)
array(6) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
  [3]=>
  int(1)
  [4]=>
  int(2)
  [5]=>
  int(3)
}
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
int(9)
int(0)
int(2)
int(2)
