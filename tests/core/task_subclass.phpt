--TEST--
Task: a subclass with its own constructor and handle() travels as itself; withTimeout() returns the task
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
use AsyncTask\Task;

final class Multiply extends Task
{
    public function __construct(private int $a, private int $b) {}
    public function handle(): mixed { return $this->a * $this->b; }
}

$task = new Multiply(6, 7);
var_dump($task->withTimeout(5) === $task);
var_dump($task->dispatch()->wait());

$plain = new Task('str_repeat', 'ab', 3);
var_dump($plain->handle());
var_dump($plain->dispatch()->wait());

class Empty_ extends Task { public function __construct() {} }
try {
    (new Empty_)->dispatch();
} catch (Error $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
bool(true)
int(42)
string(6) "ababab"
string(6) "ababab"
Empty_ has no callable: pass one to AsyncTask\Task::__construct() or override handle()
