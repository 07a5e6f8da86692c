--TEST--
Closures declared in trait methods run with the using class as scope
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

var_dump(AsyncTask\dispatch((new Account)->greeter(), 'bob')->wait());
var_dump(AsyncTask\dispatch((new Child)->greeter(), 'al')->wait());
var_dump(AsyncTask\dispatch(Child::staticGreeter(), 'x')->wait());
?>
--EXPECT--
string(74) "hi, bob from AsyncTaskTest\Closures\Account/AsyncTaskTest\Closures\Account"
string(71) "hi, al from AsyncTaskTest\Closures\Child/AsyncTaskTest\Closures\Account"
string(46) "static hello x in AsyncTaskTest\Closures\Child"
