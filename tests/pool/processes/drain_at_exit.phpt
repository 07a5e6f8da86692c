--TEST--
Fire-and-forget: a script that dispatches 50 tasks and exits without waiting still gets all 50 run, and leaves no process behind
--EXTENSIONS--
asynctask
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('drain');
$script = <<<'PHP'
<?php
$out = $argv[1];
for ($i = 0; $i < 50; $i++) {
    AsyncTask\dispatch(function (string $out, int $i) {
        usleep(5000);
        $ppid = (int) explode(' ', substr(strrchr(file_get_contents('/proc/self/stat'), ')'), 2))[1];
        file_put_contents($out, sprintf("%d %d %d\n", $i, getmypid(), $ppid), FILE_APPEND | LOCK_EX);
    }, $out, $i);
}
echo "dispatched, queued: ", AsyncTask\Pool::stats()['queued'] > 0 ? "some" : "none", "\n";
PHP;
file_put_contents("$dir/script.php", $script);
echo shell_exec(asynctask_test_command("$dir/script.php", ['asynctask.workers' => 2, 'asynctask.log' => '/dev/null'], ["$dir/out"]));

$lines = file("$dir/out", FILE_IGNORE_NEW_LINES);
var_dump(count($lines));
$ids = $pids = [];
foreach ($lines as $line) {
    [$i, $pid, $ppid] = array_map('intval', explode(' ', $line));
    $ids[] = $i;
    $pids[$pid] = $pids[$ppid] = true;
}
sort($ids);
var_dump($ids === range(0, 49));
// the workers and the manager ended with the script
$alive = array_filter(array_keys($pids), function (int $pid) {
    $status = @file_get_contents("/proc/$pid/status");
    return $status !== false && !preg_match('/^State:\s+Z/m', $status);
});
var_dump(count($pids) >= 2, $alive);
?>
--EXPECT--
dispatched, queued: some
int(50)
bool(true)
bool(true)
array(0) {
}
