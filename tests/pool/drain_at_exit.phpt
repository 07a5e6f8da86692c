--TEST--
Fire-and-forget tasks queued when the script ends are drained before the pool stops
--EXTENSIONS--
asynctask
--FILE--
<?php
$out = sys_get_temp_dir() . '/asynctask-drain-' . getmypid();
@unlink($out);
$script = <<<'PHP'
<?php
$out = $argv[1];
for ($i = 0; $i < 50; $i++) {
    AsyncTask\dispatch(function (string $out, int $i) {
        usleep(10000);
        file_put_contents($out, "$i\n", FILE_APPEND | LOCK_EX);
    }, $out, $i);
}
echo "script ends\n";
PHP;
file_put_contents("$out.php", $script);
require __DIR__ . '/../helpers.inc';
$cmd = asynctask_test_command("$out.php", ['asynctask.workers' => 2], [$out]);
echo shell_exec($cmd);
$lines = file($out, FILE_IGNORE_NEW_LINES);
sort($lines);
var_dump(count($lines), $lines === array_map('strval', range(0, 49)));
unlink($out);
unlink("$out.php");
?>
--EXPECT--
script ends
int(50)
bool(true)
