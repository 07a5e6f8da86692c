--TEST--
Closures by code reference with opcache (and its optimizer) on
--EXTENSIONS--
asynctask
--SKIPIF--
<?php if (!function_exists('opcache_get_status')) die('skip opcache not loaded (run-tests -d zend_extension=opcache)'); ?>
--INI--
asynctask.workers=2
opcache.enable_cli=1
opcache.optimization_level=0x7FFEBFFF
--FILE--
<?php
use function AsyncTask\dispatch;
require __DIR__ . '/fixtures/lib.php';

[$a, $b] = [fn() => 'first', fn() => 'second'];
var_dump(dispatch($b)->wait(), dispatch($a)->wait());
var_dump(dispatch((new Greeter)->make('Bob'), '!')->wait());
var_dump(dispatch(Greeter::stat(), 1)->wait());
var_dump(dispatch((new Greeter)->fcc(), 2)->wait());
var_dump(dispatch(strlen(...), 'abcd')->wait());
var_dump(dispatch((new UsesT)->tclosure())->wait());
var_dump(dispatch(make_nested(21))->wait());
var_dump(dispatch(Closure::fromCallable('strtoupper'), 'x')->wait());
$bound = Closure::bind(function () { return $this->greeting; }, new Greeter, Greeter::class);
var_dump(dispatch($bound)->wait());
// compiled long after the workers were forked: the worker compiles it itself
$later = require __DIR__ . '/fixtures/later.php';
var_dump(dispatch($later, 3)->wait());
$outer = function () { return fn() => 'made in a closure'; };
var_dump(dispatch($outer())->wait());
?>
--EXPECT--
string(6) "second"
string(5) "first"
string(11) "Hello, Bob!"
string(9) "Greeter:1"
string(8) "secret 2"
int(4)
string(20) "trait in UsesT UsesT"
int(42)
string(1) "X"
string(5) "Hello"
int(21)
string(17) "made in a closure"
