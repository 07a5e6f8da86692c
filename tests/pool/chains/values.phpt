--TEST--
Task::then(): each link runs in the pool with the previous link's value as its first argument (then its own arguments; a Task subclass gets it in handle()); the Future settles with the last link's value; every link has the chain's id (context()->id() = Future::id()); a link's own then() links follow it; a chain is one dispatch in stats()
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

class Shout extends Task
{
    public function __construct(private string $suffix) {}
    public function handle(mixed $previous = null): mixed
    {
        return strtoupper($previous) . $this->suffix;
    }
}

AsyncTask\Pool::start();
$f = (new Task(fn (int $n) => range(1, $n), 4))
    ->then(fn (array $numbers) => array_sum($numbers))
    ->then(new Task(fn (int $sum, string $label) => "$label: $sum", 'total'))
    ->then(new Shout('!'))
    ->dispatch();
var_dump($f->wait(10));

// each link knows the chain's id
$ids = (new Task(fn () => [AsyncTask\context()->id()]))
    ->then(fn (array $seen) => [...$seen, AsyncTask\context()->id()])
    ->then(fn (array $seen) => [...$seen, AsyncTask\context()->id()])
    ->dispatch();
$seen = $ids->wait(10);
var_dump(count($seen), count(array_unique($seen)), $seen[0] === $ids->id());

// a link with its own then(): its links follow it, before the chain's next ones
$inner = (new Task(fn (string $s) => "$s b", ))->then(fn (string $s) => "$s c");
var_dump((new Task(fn () => 'a'))->then($inner)->then(fn (string $s) => "$s d")->dispatch()->wait(10));

// a value that is an object travels too
var_dump((new Task(fn () => new ArrayObject([1, 2])))->then(fn (ArrayObject $o) => count($o))->dispatch()->wait(10));

$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed']);
?>
--EXPECT--
string(10) "TOTAL: 10!"
int(3)
int(1)
bool(true)
string(7) "a b c d"
int(2)
int(4)
int(4)
int(0)
