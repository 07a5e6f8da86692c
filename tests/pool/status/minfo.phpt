--TEST--
phpinfo() / php --ri asynctask: the build's features always; the live pool of this process (workers, queued, running, counts) when it has one
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
asynctask.workers=2
asynctask.status_token=do-not-show-me
--FILE--
<?php
function section(): string
{
    ob_start();
    phpinfo(INFO_MODULES);
    $all = ob_get_clean();
    $start = strpos($all, "\nasynctask\n");
    return substr($all, $start, strpos($all, "\nDirective", $start) - $start);
}
function rows(string $text, array $names): void
{
    foreach (explode("\n", $text) as $line) {
        foreach ($names as $name) {
            if (str_starts_with($line, "$name => ")) {
                echo $line, "\n";
            }
        }
    }
}
$features = ['Backends', 'Fault injection', 'Sanitizer', 'Status endpoint'];
$before = section();
foreach ($features as $f) {
    echo $f, ': ', str_contains($before, "$f => ") ? 'shown' : 'missing', "\n";
}
rows($before, ['Pool in this process']);

$release = sys_get_temp_dir() . '/asynctask-phpt-minfo-' . getmypid();
$block = function (string $release) { while (!file_exists($release)) usleep(5000); };
$futures = [AsyncTask\dispatch($block, $release), AsyncTask\dispatch($block, $release), AsyncTask\dispatch($block, $release)];
while (AsyncTask\Pool::stats()['running'] < 2) usleep(5000);
$manager = AsyncTask\Pool::stats()['manager_pid'];
$live = section();
echo str_replace((string) $manager, 'PID', implode("\n", array_filter(explode("\n", $live),
    fn($l) => preg_match('/^(Pool in this process|Workers|Queued|Tasks) => /', $l)))), "\n";
touch($release);
foreach ($futures as $f) $f->wait(10);
unlink($release);
ob_start();
phpinfo(INFO_MODULES);
echo str_contains(ob_get_clean(), 'do-not-show-me') ? "token shown\n" : "token hidden\n";
?>
--EXPECTF--
Backends: shown
Fault injection: shown
Sanitizer: shown
Status endpoint: shown
Pool in this process => not running
Pool in this process => running (manager pid PID)
Workers => 2 (2 running a task)
Queued => 1
Tasks => 3 dispatched, 0 completed, 0 failed
token hidden
