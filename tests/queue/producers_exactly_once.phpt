--TEST--
4 producer processes x 2000 tasks: every result exact, each task accounted exactly once
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
--FILE--
<?php
use AsyncTask\Future;
use function AsyncTask\dispatch;

AsyncTask\Pool::start();
$out = sys_get_temp_dir() . '/asynctask-producers-' . getmypid();
$children = [];
for ($p = 0; $p < 4; $p++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $futures = [];
        for ($i = 0; $i < 2000; $i++) {
            $futures["$p-$i"] = dispatch(fn (int $a, int $b) => [$a, $b, $a * $b], $p, $i);
        }
        $ok = 0;
        foreach (Future::all($futures) as $key => [$a, $b, $product]) {
            $ok += ("$a-$b" === $key && $product === $a * $b);
        }
        file_put_contents("$out.$p", $ok);
        exit(0);
    }
    $children[] = $pid;
}
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
}
$total = 0;
for ($p = 0; $p < 4; $p++) {
    $total += (int) file_get_contents("$out.$p");
    unlink("$out.$p");
}
var_dump($total);
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['queued'], $s['dropped_results']);
?>
--EXPECT--
int(8000)
int(8000)
int(8000)
int(0)
int(0)
int(0)
