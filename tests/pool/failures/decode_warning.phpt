--TEST--
A warning PHP raises in a worker outside any call (decoding an argument whose enum the worker lacks) is logged under the worker's own name; the task fails with TaskFailedException and the worker lives
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
$log = sys_get_temp_dir() . '/asynctask-decode-warning-' . getmypid() . '.log';
ini_set('asynctask.log', $log);
AsyncTask\Pool::start();
require __DIR__ . '/fixtures/late_enum.php';  // after the workers were forked

try {
    AsyncTask\dispatch(fn (LateEnum $case) => $case->value, LateEnum::Only)->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(AsyncTask\dispatch('strtoupper', 'the worker lives')->wait(10));
var_dump(AsyncTask\Pool::stats()['crashed']);
AsyncTask\Pool::stop();
var_dump(str_contains(file_get_contents($log), "PHP Warning:  AsyncTask\\{worker}(): Class 'LateEnum' not found"));
unlink($log);
?>
--EXPECTF--
AsyncTask\TaskFailedException: the task payload cannot be decoded: a received value is corrupt: it failed to unserialize at byte %d of %d
string(16) "THE WORKER LIVES"
int(0)
bool(true)
