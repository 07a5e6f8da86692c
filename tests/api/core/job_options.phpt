--TEST--
Task::onQueue(), delay(), withRetries(), withPriority(), then() and Task::LOW/NORMAL/HIGH: each validates its argument (ValueError, TypeError), returns the task itself; what this build does not do yet is refused at dispatch() with AsyncTask\Exception "not supported yet: ...", never ignored; default values dispatch as a plain task
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
use AsyncTask\Task;

var_dump(Task::LOW, Task::NORMAL, Task::HIGH);

function attempt(string $what, callable $f): void {
    try {
        $f();
        echo "$what: ok\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ": ", $e->getMessage(), "\n";
    }
}

$t = new Task('strtoupper', 'abc');
// each returns the task itself (static), so calls chain
var_dump($t->onQueue('default') === $t, $t->delay(0) === $t, $t->withRetries(0) === $t,
    $t->withPriority(Task::NORMAL) === $t);

attempt('negative delay', fn () => $t->delay(-1));
attempt('NaN delay', fn () => $t->delay(NAN));
attempt('priority 2', fn () => $t->withPriority(2));
attempt('priority -2', fn () => $t->withPriority(-2));
attempt('retries -1', fn () => $t->withRetries(-1));
attempt('negative backoff', fn () => $t->withRetries(2, -0.5));
attempt('empty backoff list', fn () => $t->withRetries(2, []));
attempt('backoff map', fn () => $t->withRetries(2, ['a' => 1]));
attempt('backoff with a string', fn () => $t->withRetries(2, [1, 'soon']));
attempt('backoff of a wrong type', fn () => $t->withRetries(2, 'soon'));
attempt('empty queue', fn () => $t->onQueue(''));
attempt('queue with a colon', fn () => $t->onQueue('mail:2'));
attempt('then a string that is no callable', fn () => $t->then('no_such_function_here'));
attempt('then itself', fn () => $t->then($t));

// valid values that are still the default dispatch as before
var_dump($t->dispatch()->wait());

// a subclass keeps its options, and clone copies them
class Mail extends Task {
    public function __construct(private string $to) {}
    public function handle(): mixed { return "mail to {$this->to}"; }
}
$m = (new Mail('a@example.com'))->withRetries(3, [1, 5, 30]);
$c = clone $m;
var_dump($m->dispatch()->wait(), $c->dispatch()->wait());   // built: retries (a task that succeeds runs once)
var_dump($m->withRetries(0)->dispatch()->wait());

attempt('undeclared queue', fn () => (new Task('strlen', 'x'))->onQueue('mail')->dispatch());
var_dump((new Task('strlen', 'xyz'))->then('strrev')->dispatch()->wait());   // built: chains
var_dump((new Task('strlen', 'xy'))->then(new Task('str_repeat', 3))->dispatch()->wait());
var_dump((new Task('strlen', 'xy'))->withPriority(Task::HIGH)->dispatch()->wait());   // built: priorities
var_dump((new Task('strlen', 'xyz'))->delay(0.01)->dispatch()->wait());   // built: delays
attempt('chain cycle freed', function () {
    $a = new Task('strlen', 'x');
    $b = new Task('strlen', 'y');
    $a->then($b);
    $b->then($a);   // a cycle through the options: the GC collects it
    unset($a, $b);
    gc_collect_cycles();
});
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed']);
?>
--EXPECTF--
int(-1)
int(0)
int(1)
bool(true)
bool(true)
bool(true)
bool(true)
negative delay: ValueError: AsyncTask\Task::delay(): Argument #1 ($seconds) must be between 0 (no delay) and one year in seconds
NaN delay: ValueError: AsyncTask\Task::delay(): Argument #1 ($seconds) must be between 0 (no delay) and one year in seconds
priority 2: ValueError: AsyncTask\Task::withPriority(): Argument #1 ($priority) must be AsyncTask\Task::LOW (-1), NORMAL (0) or HIGH (1)
priority -2: ValueError: AsyncTask\Task::withPriority(): Argument #1 ($priority) must be AsyncTask\Task::LOW (-1), NORMAL (0) or HIGH (1)
retries -1: ValueError: AsyncTask\Task::withRetries(): Argument #1 ($times) must be between 0 (no retry) and 1000
negative backoff: ValueError: AsyncTask\Task::withRetries(): Argument #2 ($backoff) must be between 0 and one year in seconds
empty backoff list: ValueError: AsyncTask\Task::withRetries(): Argument #2 ($backoff) must be a non-empty list of seconds (the last one repeats)
backoff map: ValueError: AsyncTask\Task::withRetries(): Argument #2 ($backoff) must be a non-empty list of seconds (the last one repeats)
backoff with a string: ValueError: AsyncTask\Task::withRetries(): Argument #2 ($backoff) must hold only numbers of seconds between 0 and one year
backoff of a wrong type: TypeError: AsyncTask\Task::withRetries(): Argument #2 ($backoff) must be of type array|float, string given
empty queue: ValueError: AsyncTask\Task::onQueue(): Argument #1 ($queue) must be 1 to 64 letters, digits, "_", "-" or "."
queue with a colon: ValueError: AsyncTask\Task::onQueue(): Argument #1 ($queue) must be 1 to 64 letters, digits, "_", "-" or "."
then a string that is no callable: TypeError: AsyncTask\Task::then(): Argument #1 ($next) must be of type AsyncTask\Task|callable, string given
then itself: ValueError: AsyncTask\Task::then(): Argument #1 ($next) cannot be the task itself
string(3) "ABC"
string(21) "mail to a@example.com"
string(21) "mail to a@example.com"
string(21) "mail to a@example.com"
undeclared queue: AsyncTask\Exception: the queue "mail" is not declared: the pool's queues (asynctask.queues) are "default"; add it to asynctask.queues (e.g. "mail:1"), or dispatch to one of those with Task::onQueue()
string(1) "3"
string(3) "222"
int(2)
int(3)
chain cycle freed: ok
int(8)
int(8)
int(0)
