--TEST--
First-class callables and Closure::fromCallable() are rebuilt on the worker's function or method
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

$acct = new Account(5);
var_dump(AsyncTask\dispatch(strlen(...), 'abcd')->wait());
var_dump(AsyncTask\dispatch($acct->privateCallable(), 'f')->wait());
var_dump(AsyncTask\dispatch(Child::sm(...), 'g')->wait());
var_dump(AsyncTask\dispatch(\Closure::fromCallable('strrev'), 'abc')->wait());
var_dump(AsyncTask\dispatch(\Closure::fromCallable([new Child(9), 'm']), 'h')->wait());
var_dump(AsyncTask\dispatch((new Magic)->foo(...), 1, 2)->wait());
var_dump(AsyncTask\dispatch(Magic::bar(...), 3)->wait());
?>
--EXPECT--
int(4)
string(11) "private:f:5"
string(33) "sm:g:AsyncTaskTest\Closures\Child"
string(3) "cba"
string(3) "m:h"
string(12) "call:foo:1,2"
string(16) "callStatic:bar:3"
