--TEST--
4 producer processes (pcntl_fork) x 2000 tasks: every result exact, every task run exactly once, stats count each once
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
asynctask.queue_size=1M
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
use AsyncTask\Future;
use function AsyncTask\dispatch;

const PRODUCERS = 4, TASKS = 2000;
$dir = asynctask_test_dir('producers');
AsyncTask\Pool::start();
$before = AsyncTask\Pool::stats();

$children = [];
for ($p = 0; $p < PRODUCERS; $p++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $futures = [];
        for ($i = 0; $i < TASKS; $i++) {
            $futures["$p-$i"] = dispatch(function (int $p, int $i, string $log) {
                file_put_contents($log, "$p-$i\n", FILE_APPEND | LOCK_EX);
                return [$p, $i, $p * 1000003 + $i * $i];
            }, $p, $i, "$dir/ran");
        }
        $exact = 0;
        $sum = 0;
        foreach (Future::all($futures) as $key => [$a, $b, $value]) {
            $exact += ("$a-$b" === $key && $value === $a * 1000003 + $b * $b);
            $sum += $value;
        }
        file_put_contents("$dir/producer-$p", "$exact $sum");
        exit(0);
    }
    $children[] = $pid;
}
$statuses = [];
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
    $statuses[] = pcntl_wifexited($status) ? pcntl_wexitstatus($status) : -1;
}
var_dump($statuses);

$exact = 0;
$sum = 0;
$expected_sum = 0;
for ($p = 0; $p < PRODUCERS; $p++) {
    [$e, $s] = explode(' ', file_get_contents("$dir/producer-$p"));
    $exact += (int) $e;
    $sum += (int) $s;
    for ($i = 0; $i < TASKS; $i++) {
        $expected_sum += $p * 1000003 + $i * $i;
    }
}
var_dump($exact, $sum === $expected_sum);

// every task ran exactly once: 8000 lines, 8000 distinct ids
$ran = file("$dir/ran", FILE_IGNORE_NEW_LINES);
var_dump(count($ran), count(array_unique($ran)));

$after = AsyncTask\Pool::stats();
var_dump($after['completed'] - $before['completed'], $after['failed'] - $before['failed'], $after['queued'],
    $after['queue_bytes_used'], $after['crashed']);
?>
--EXPECT--
array(4) {
  [0]=>
  int(0)
  [1]=>
  int(0)
  [2]=>
  int(0)
  [3]=>
  int(0)
}
int(8000)
bool(true)
int(8000)
int(8000)
int(8000)
int(0)
int(0)
int(0)
int(0)
