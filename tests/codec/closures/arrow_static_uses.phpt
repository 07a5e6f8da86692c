--TEST--
Arrow functions (implicit captures), static closures and use variables by value
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

var_dump(AsyncTask\dispatch($f['arrow'], 5)->wait());
var_dump(AsyncTask\dispatch($f['static'], 'q')->wait());
var_dump(AsyncTask\dispatch($f['uses'], 'k')->wait());
var_dump(AsyncTask\dispatch($f['withObj'])->wait());
var_dump(AsyncTask\dispatch(conditional('c'), 'x')->wait());
var_dump(AsyncTask\dispatch(arrowUndefined())->wait());

// the value captured at creation travels, not the variable
$n = 1;
$byValue = function () use ($n) { return $n; };
$n = 2;
var_dump(AsyncTask\dispatch($byValue)->wait());

$first = require __DIR__ . '/fixtures/again.php';
$second = require __DIR__ . '/fixtures/again.php';
var_dump(AsyncTask\dispatch($second[1])->wait(), AsyncTask\dispatch($first[0])->wait());
?>
--EXPECT--
int(17)
string(8) "static:q"
array(3) {
  [0]=>
  string(1) "k"
  [1]=>
  int(3)
  [2]=>
  int(4)
}
int(3)
string(8) "cond:c:x"
string(5) "unset"
int(1)
string(7) "again-b"
string(7) "again-a"
