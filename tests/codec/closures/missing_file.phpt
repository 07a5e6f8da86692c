--TEST--
A closure whose file is gone when the worker gets to it fails in the worker with a clear message
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
$file = sys_get_temp_dir() . '/asynctask-missing-' . getmypid() . '.php';
$gate = "$file.gate";
file_put_contents($file, '<?php return fn($x) => $x * 2;');
$closure = require $file;
AsyncTask\Pool::start();
// keeps the only worker busy until the file is gone
$busy = AsyncTask\dispatch(function (string $gate) { while (!file_exists($gate)) usleep(2000); return 'released'; }, $gate);
$task = AsyncTask\dispatch($closure, 21);
unlink($file);
touch($gate);
var_dump($busy->wait());
try {
    $task->wait();
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getMessage(), "\n";
}
unlink($gate);
?>
--EXPECTF--
string(8) "released"
%Athe closure's file %sasynctask-missing-%d.php cannot be read in the worker: No such file or directory
