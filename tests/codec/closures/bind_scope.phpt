--TEST--
Closure::bind() to another object and scope, and a static closure bound to a scope
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

$peek = \Closure::bind(fn() => $this->hidden, new Other, Other::class);
var_dump(AsyncTask\dispatch($peek)->wait());
$peekStatic = \Closure::bind(static fn() => Other::$shh, null, Other::class);
var_dump(AsyncTask\dispatch($peekStatic)->wait());
$unbound = function () { return isset($this) ? 'bound' : 'unbound'; };
var_dump(AsyncTask\dispatch($unbound)->wait());
var_dump(AsyncTask\dispatch($unbound->bindTo(new Other))->wait());
?>
--EXPECT--
string(12) "other-hidden"
string(12) "other-static"
string(7) "unbound"
string(5) "bound"
