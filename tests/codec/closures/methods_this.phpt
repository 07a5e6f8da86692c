--TEST--
Closures in methods: bound $this with private properties, nested closures, bindTo()
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
var_dump(AsyncTask\dispatch($acct->adder(), 1)->wait());
var_dump(AsyncTask\dispatch($acct->nestedMaker()(10), 100)->wait());
var_dump(AsyncTask\dispatch((new Child(7))->reveal(), '!')->wait());
var_dump(AsyncTask\dispatch($acct->adder()->bindTo(new Account(100)), 1)->wait());
var_dump(AsyncTask\dispatch((new Conditional)->make('p'), 'q')->wait());
var_dump(AsyncTask\dispatch(Suit::Hearts->painter(), 3)->wait());
?>
--EXPECT--
string(6) "acct:7"
int(115)
string(12) "base-secret!"
string(8) "acct:102"
string(3) "p-q"
string(30) "H3@AsyncTaskTest\Closures\Suit"
