--TEST--
Pool::reload(): every worker is replaced after its current task, new bootstrap code is picked up, and a stream of tasks meanwhile never fails
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
asynctask.log=/dev/null
asynctask.bootstrap={PWD}/reload_bootstrap.inc
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('reload');
$boot = ini_get('asynctask.bootstrap');
file_put_contents($boot, '<?php function app_version() { return "v1"; }');
Pool::start();
$version = fn () => [app_version(), getmypid()];
var_dump(AsyncTask\dispatch($version)->wait()[0]);
$old = Pool::stats()['worker_pids'];

// both workers busy, new code on disk, reload: the running tasks finish on the old code
$held = [];
foreach ([0, 1] as $i) {
    $held[$i] = AsyncTask\dispatch(function (string $dir, int $i) {
        asynctask_test_open("$dir/running-$i");
        asynctask_test_wait_for("$dir/go");
        return app_version();
    }, $dir, $i);
    asynctask_test_wait_for("$dir/running-$i");
}
file_put_contents($boot, '<?php function app_version() { return "v2"; }');
// opcache revalidates by modification time in whole seconds: make the change visible
touch($boot, time() + 10);
Pool::reload();
$stream = [];
for ($i = 0; $i < 300; $i++) {
    $stream[] = AsyncTask\dispatch(fn (int $i) => $i * 2, $i);
}
touch("$dir/go");
var_dump(AsyncTask\Future::all($held, 10));
var_dump(array_sum(AsyncTask\Future::all($stream, 10)) === 2 * array_sum(range(0, 299)));

// until both old workers are gone
$deadline = microtime(true) + 10;
while (array_intersect($old, Pool::stats()['worker_pids']) && microtime(true) < $deadline) {
    AsyncTask\dispatch('strlen', 'tick')->wait(10);
}
$s = Pool::stats();
var_dump(array_intersect($old, $s['worker_pids']), count($s['worker_pids']), $s['failed'], $s['crashed'], $s['respawned']);
$seen = [];
foreach (AsyncTask\Future::all(array_map(fn () => AsyncTask\dispatch($version), range(1, 20))) as [$v]) {
    $seen[$v] = true;
}
var_dump(array_keys($seen));
?>
--CLEAN--
<?php
@unlink(__DIR__ . '/reload_bootstrap.inc');
?>
--EXPECT--
string(2) "v1"
array(2) {
  [0]=>
  string(2) "v1"
  [1]=>
  string(2) "v1"
}
bool(true)
array(0) {
}
int(2)
int(0)
int(0)
int(2)
array(1) {
  [0]=>
  string(2) "v2"
}
