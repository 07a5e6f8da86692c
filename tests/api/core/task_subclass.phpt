--TEST--
Task: a subclass with its own constructor and handle() travels as itself (a copy); withTimeout() returns the same task
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
use AsyncTask\Task;

final class Multiply extends Task
{
    public array $seen = [];
    public function __construct(private int $a, protected int $b) {}
    public function handle(): mixed
    {
        $this->seen[] = getmypid();
        return [static::class, $this->a * $this->b, count($this->seen)];
    }
}

class Greeting extends Task
{
    public function __construct(string $name)
    {
        // static: a closure bound to $this and stored on $this is a cycle that
        // PHP itself reports as leaked under valgrind (.ci/valgrind runs this test)
        parent::__construct(static fn (string $who) => "hello $who", $name);
    }
}

class Refuse extends Task
{
    public function __construct(private string $why) {}
    public function handle(): mixed { throw new UnexpectedValueException($this->why, 7); }
}

$task = new Multiply(6, 7);
var_dump($task->withTimeout(5) === $task, $task->withTimeout(0) === $task);
var_dump($task->dispatch()->wait());
// it ran on a copy: the caller's object is unchanged, and can be dispatched again
var_dump($task->seen, $task->dispatch()->wait()[2]);

var_dump((new Greeting('world'))->withTimeout(2.5)->dispatch()->wait());

$plain = new Task('str_repeat', 'ab', 3);
var_dump($plain->handle(), $plain->dispatch()->wait());

try {
    (new Refuse('nope'))->dispatch()->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump($e->getRemoteClass(), $e->getMessage(), $e->getCode());
}

class Empty_ extends Task { public function __construct() {} }
try {
    (new Empty_)->dispatch();
} catch (Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    (new Task('strlen', 'x'))->withTimeout(-1);
} catch (ValueError $e) {
    echo "ValueError\n";
}
?>
--EXPECT--
bool(true)
bool(true)
array(3) {
  [0]=>
  string(8) "Multiply"
  [1]=>
  int(42)
  [2]=>
  int(1)
}
array(0) {
}
int(1)
string(11) "hello world"
string(6) "ababab"
string(6) "ababab"
string(24) "UnexpectedValueException"
string(4) "nope"
int(7)
Error: Empty_ has no callable: pass one to AsyncTask\Task::__construct() or override handle()
ValueError
