--TEST--
php.ini settings take effect: asynctask.bootstrap is included once per worker, max_requests recycles workers, workers sets the pool size
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.max_requests=2
asynctask.bootstrap={TMP}/asynctask-phpt-bootstrap.php
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('settings');
$bootstrap = ini_get('asynctask.bootstrap');
file_put_contents($bootstrap, '<?php
function asynctask_phpt_from_bootstrap(): string { return "bootstrapped"; }
file_put_contents(' . var_export("$dir/included", true) . ', getmypid() . "\n", FILE_APPEND | LOCK_EX);
');

// bootstrap: workers have the function, the script does not
var_dump(function_exists('asynctask_phpt_from_bootstrap'));
var_dump(AsyncTask\dispatch(fn () => asynctask_phpt_from_bootstrap())->wait());

// max_requests=2: each worker serves two tasks, then a new one takes over
// (the bootstrap task above was the first worker's first)
$pids = [];
for ($i = 0; $i < 5; $i++) {
    $pids[] = AsyncTask\dispatch('getmypid')->wait();
}
$names = [];
echo implode(' ', array_map(function ($pid) use (&$names) {
    return $names[$pid] ??= chr(ord('A') + count($names));
}, $pids)), "\n";
var_dump(AsyncTask\Pool::stats()['respawned'] >= 2);
AsyncTask\Pool::stop();
// included once by each worker, and never by the manager or the script
$included = file("$dir/included", FILE_IGNORE_NEW_LINES);
var_dump(array_diff(array_unique($pids), $included), count($included) === count(array_unique($included)));

// workers=3 for the next pool: three tasks that only finish when all three run at once
ini_set('asynctask.workers', '3');
ini_set('asynctask.max_requests', '0');
$meet = function (string $dir, int $me) {
    asynctask_test_open("$dir/meet-$me");
    foreach ([0, 1, 2] as $other) {
        if (!asynctask_test_wait_for("$dir/meet-$other", 10)) {
            return 'alone';
        }
    }
    return getmypid();
};
$futures = [];
for ($i = 0; $i < 3; $i++) {
    $futures[] = AsyncTask\dispatch($meet, $dir, $i);
}
$met = AsyncTask\Future::all($futures);
var_dump(count(array_unique($met)), AsyncTask\Pool::stats()['workers']);
unlink($bootstrap);
?>
--EXPECT--
bool(false)
string(12) "bootstrapped"
A B B C C
bool(true)
array(0) {
}
bool(true)
int(3)
int(3)
