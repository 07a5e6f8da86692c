--TEST--
A closure whose file changed on disk after dispatch is refused in the worker, not run; the refusal does not tell the file's real md5
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
; a fresh worker for every task: none has the old version compiled
asynctask.max_requests=1
--FILE--
<?php
$file = sys_get_temp_dir() . '/asynctask-changed-' . getmypid() . '.php';
file_put_contents($file, '<?php return function (string $gate) { touch("$gate.started"); while (!file_exists($gate)) usleep(2000); return "v1"; };');
$gate = "$file.gate";
$closure = require $file;
AsyncTask\Pool::start();
$first = AsyncTask\dispatch($closure, $gate);    // keeps the only worker busy
$second = AsyncTask\dispatch($closure, $gate);   // queued with the old fingerprint
while (!file_exists("$gate.started")) usleep(2000); // the worker has compiled the old file
file_put_contents($file, '<?php return function (string $gate) { return "v2, edited"; };');
touch($gate);
var_dump($first->wait());
try {
    $second->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump(str_contains($e->getMessage(), 'changed since the task was dispatched'));
    // a hash of a file the sender may not be allowed to read
    var_dump(str_contains($e->getMessage(), md5_file($file)));
}
unlink($file);
unlink($gate);
unlink("$gate.started");
?>
--EXPECT--
string(2) "v1"
bool(true)
bool(false)
