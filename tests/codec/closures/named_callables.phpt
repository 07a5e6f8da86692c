--TEST--
Named callables travel by name: functions, static methods, [$object, method], invokable objects
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
var_dump(AsyncTask\dispatch('strtoupper', 'abc')->wait());
var_dump(AsyncTask\dispatch('AsyncTaskTest\Closures\Account::sm', 'a')->wait());
var_dump(AsyncTask\dispatch([Child::class, 'sm'], 'b')->wait());
var_dump(AsyncTask\dispatch([$acct, 'm'], 'c')->wait());
// callable where it is dispatched (inside the class): stays callable in the worker
var_dump($acct->sendPrivate('d'));
var_dump(AsyncTask\dispatch($acct, 'e')->wait());
var_dump(AsyncTask\dispatch([new Magic, 'baz'], 4)->wait());
?>
--EXPECT--
string(3) "ABC"
string(35) "sm:a:AsyncTaskTest\Closures\Account"
string(33) "sm:b:AsyncTaskTest\Closures\Child"
string(3) "m:c"
string(11) "private:d:5"
string(11) "invoked:e:5"
string(10) "call:baz:4"
