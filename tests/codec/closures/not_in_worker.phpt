--TEST--
A function declared after the pool started is not in the workers (clear error); a closure of that file is
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
namespace AsyncTaskTest\Closures;
use AsyncTask;

AsyncTask\Pool::start();
$f = require __DIR__ . '/fixtures/closures.php';

foreach (['AsyncTaskTest\Closures\late_function', late_function(...)] as $callable) {
    try {
        AsyncTask\dispatch($callable, 1)->wait();
    } catch (AsyncTask\TaskFailedException $e) {
        echo $e->getMessage(), "\n";
    }
}
// a closure of that file goes by code reference: the worker compiles the file itself
var_dump(AsyncTask\dispatch($f['arrow'], 5)->wait());
?>
--EXPECTF--
%Afunction AsyncTaskTest\Closures\late_function() is not defined in the worker; declare it in a file included by asynctask.bootstrap (or autoloaded from there), or before the pool starts (the first dispatch in the CLI)
%Afunction AsyncTaskTest\Closures\late_function() is not defined in the worker; declare it in a file included by asynctask.bootstrap (or autoloaded from there), or before the pool starts (the first dispatch in the CLI)
int(17)
