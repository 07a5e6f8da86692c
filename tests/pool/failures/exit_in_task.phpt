--TEST--
exit() inside a task: WorkerCrashedException that says exit and the status; the pool goes on
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
try {
    AsyncTask\dispatch(function () { exit(3); })->wait();
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'exit'), str_contains($e->getMessage(), '3'));
}
try {
    AsyncTask\dispatch(function () { echo "bye"; exit(); })->wait();
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'exit'));
}
try {
    AsyncTask\dispatch(function () { die('message to the log'); })->wait();
    echo "no exception\n";
} catch (AsyncTask\WorkerCrashedException $e) {
    var_dump(str_contains($e->getMessage(), 'exit'));
}
var_dump(AsyncTask\dispatch('str_repeat', 'ok', 2)->wait());
var_dump(AsyncTask\Pool::stats()['crashed']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
string(4) "okok"
int(3)
