--TEST--
Closures refused at dispatch(): declarations, static and by-reference variables, generators, unsendable captures
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
namespace AsyncTaskTest\Refusals;
use AsyncTask;

require __DIR__ . '/fixtures/refused.php';
$cases = [
    'declares a class' => declaresClass(),
    'declares a function' => declaresFunction(),
    'declares an anonymous class' => declaresAnonClass(),
    'static variable' => staticVariable(),
    'by reference' => byReference(),
    'generator' => generator(),
    'resource in a use variable' => resourceInUse(),
    'anonymous object in a use variable' => anonymousInUse(),
    'resource in the bound $this' => (new WithHandle)->task(),
    'declared in an anonymous class' => inAnonymousClass(),
    'eval' => eval('return function () { return 1; };'),
];
foreach ($cases as $name => $closure) {
    try {
        AsyncTask\dispatch($closure);
        echo "$name: NOT REFUSED\n";
    } catch (AsyncTask\SerializationException $e) {
        echo "$name: ", $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
declares a class: the closure defined at %srefused.php:5 cannot be sent to a worker: it declares a class, which a worker would declare again; move the class to its own file (autoloaded, or included by asynctask.bootstrap)
declares a function: the closure defined at %srefused.php:6 cannot be sent to a worker: it declares a named function, which would be declared globally in the worker; use a closure, or move the function to an included file
declares an anonymous class: the closure defined at %srefused.php:7 cannot be sent to a worker: it declares an anonymous class (new class {...}); use a named class
static variable: the closure defined at %srefused.php:8 cannot be sent to a worker: it has a static variable $calls, whose state would diverge silently between workers; pass the value as an argument instead
by reference: the closure defined at %srefused.php:9 cannot be sent to a worker: it captures $total by reference; references cannot cross processes: capture by value (use ($total)) or return the value
generator: the closure defined at %srefused.php:10 cannot be sent to a worker: it is a generator; its values cannot come back from a worker: return an array instead
resource in a use variable: use variable $conn at [db] cannot be sent to a worker: it is a resource (stream); resources such as files, sockets and database handles belong to one process: open them inside the task
anonymous object in a use variable: use variable $o cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
resource in the bound $this: the $this bound to the closure defined at %srefused.php:17 at [handle] cannot be sent to a worker: it is a resource (stream); resources such as files, sockets and database handles belong to one process: open them inside the task
declared in an anonymous class: the closure defined at %srefused.php:20 cannot be sent to a worker: it is declared in a method of an anonymous class, which a worker cannot rebuild; use a named class
eval: the closure defined at %s : eval()'d code:1 cannot be sent to a worker: it was not declared in a file (eval()'d or command-line code); a worker rebuilds closures from their file
