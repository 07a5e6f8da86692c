--TEST--
With opcache on, closures still resolve exactly (one line, methods, traits, nested, main script)
--EXTENSIONS--
asynctask
--SKIPIF--
<?php if (!function_exists('opcache_get_status')) die('skip opcache not loaded (run-tests -d zend_extension=opcache)'); ?>
--INI--
asynctask.workers=2
opcache.enable_cli=1
--FILE--
<?php
namespace AsyncTaskTest\Closures;
use AsyncTask;

require __DIR__ . '/fixtures/classes.php';
AsyncTask\Pool::start();
$f = require __DIR__ . '/fixtures/closures.php';

var_dump(opcache_get_status(false)['opcache_enabled']);
[$a, $b] = [fn() => 'first', fn() => 'second'];
var_dump(AsyncTask\dispatch($b)->wait(), AsyncTask\dispatch($a)->wait());
var_dump(AsyncTask\dispatch($f['pair'][1])->wait());
[$a, $b] = Base::pairInStatic();
var_dump(AsyncTask\dispatch($b)->wait());
var_dump(AsyncTask\dispatch($f['nested'], 3)->wait());
var_dump(AsyncTask\dispatch((new Account(5))->adder(), 1)->wait());
var_dump(AsyncTask\dispatch((new Child)->greeter(), 'al')->wait());
var_dump(AsyncTask\dispatch($f['arrow'], 5)->wait());
?>
--EXPECT--
bool(true)
string(6) "second"
string(5) "first"
string(11) "main-second"
string(13) "static-second"
int(123)
string(6) "acct:7"
string(71) "hi, al from AsyncTaskTest\Closures\Child/AsyncTaskTest\Closures\Account"
int(17)
