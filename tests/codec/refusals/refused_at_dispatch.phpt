--TEST--
What cannot be sent is refused at dispatch() with SerializationException saying what and why
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.max_payload=4K
--FILE--
<?php
use function AsyncTask\dispatch;

$k = 1;
$helper = fn () => 2;
$cases = [
    'by-reference use' => fn () => dispatch(function () use (&$k) { return $k; }),
    'eval' => fn () => dispatch(eval('return fn () => 1;')),
    'resource argument' => fn () => dispatch(fn ($f) => 1, fopen('php://memory', 'r')),
    'closure argument' => fn () => dispatch(fn ($f) => 1, fn () => 2),
    'closure in a use variable' => fn () => dispatch(function () use ($helper) { return 1; }),
    'nested resource' => fn () => dispatch(fn ($a) => 1, ['db' => ['handle' => STDIN]]),
    'static variable' => fn () => dispatch(function () { static $n = 0; return ++$n; }),
    'generator' => fn () => dispatch(function () { yield 1; }),
    'anonymous class' => fn () => dispatch(function () { return new class {}; }),
    'unserializable object' => fn () => dispatch(fn ($g) => 1, (function () { yield 1; })()),
    'anonymous object' => fn () => dispatch(fn ($o) => 1, new class {}),
    'over max_payload' => fn () => dispatch('strlen', str_repeat('x', 8000)),
];
foreach ($cases as $name => $case) {
    try {
        $case();
        echo "$name: NOT REFUSED\n";
    } catch (AsyncTask\SerializationException $e) {
        echo "$name: ", $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
by-reference use: the closure defined at %s:%d cannot be sent to a worker: it captures $k by reference; references cannot cross processes: capture by value (use ($k)) or return the value
eval: the closure defined at %s : eval()'d code:1 cannot be sent to a worker: it was not declared in a file (eval()'d or command-line code); a worker rebuilds closures from their file
resource argument: argument #1 cannot be sent to a worker: it is a resource (stream); resources such as files, sockets and database handles belong to one process: open them inside the task
closure argument: argument #1 cannot be sent to a worker: it is a closure; closures can only be sent as the task itself, not inside its arguments, use variables or results
closure in a use variable: use variable $helper cannot be sent to a worker: it is a closure; closures can only be sent as the task itself, not inside its arguments, use variables or results
nested resource: argument #1 at [db][handle] cannot be sent to a worker: it is a resource (stream); %s
static variable: the closure defined at %s cannot be sent to a worker: it has a static variable $n, whose state would diverge silently between workers; pass the value as an argument instead
generator: the closure defined at %s cannot be sent to a worker: it is a generator; its values cannot come back from a worker: return an array instead
anonymous class: the closure defined at %s cannot be sent to a worker: it declares an anonymous class (new class {...}); use a named class
unserializable object: argument #1 cannot be sent to a worker: it is a Generator, which cannot be serialized
anonymous object: argument #1 cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
over max_payload: the task encodes to %d bytes, more than asynctask.max_payload (4096 bytes)
