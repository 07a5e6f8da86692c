--TEST--
Closures on one line resolve exactly (main script, function, static method, nested)
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
namespace AsyncTaskTest\Closures;
use AsyncTask;

require __DIR__ . '/fixtures/classes.php';
AsyncTask\Pool::start();
$f = require __DIR__ . '/fixtures/closures.php';   // never compiled in the workers

var_dump(AsyncTask\dispatch($f['pair'][0])->wait());
var_dump(AsyncTask\dispatch($f['pair'][1])->wait());
[$a, $b] = pairInFunction();
var_dump(AsyncTask\dispatch($b)->wait(), AsyncTask\dispatch($a)->wait());
[$a, $b] = Base::pairInStatic();
var_dump(AsyncTask\dispatch($b)->wait(), AsyncTask\dispatch($a)->wait());
var_dump(AsyncTask\dispatch($f['nested'], 3)->wait());
[$a, $b] = [fn() => 'first', fn() => 'second'];
var_dump(AsyncTask\dispatch($b)->wait(), AsyncTask\dispatch($a)->wait());
?>
--EXPECT--
string(10) "main-first"
string(11) "main-second"
string(9) "fn-second"
string(8) "fn-first"
string(13) "static-second"
string(12) "static-first"
int(123)
string(6) "second"
string(5) "first"
