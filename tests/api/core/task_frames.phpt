--TEST--
A task runs on a clean base frame: its exception trace and debug_backtrace() show only its own frames, never those of the calls that started the pool (Pool::start() or the first dispatch())
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
namespace App;

use AsyncTask;

function fail(): never
{
    throw new \RuntimeException('from the task');
}

/** This call and the calls it is in, innermost first, as "Class->method" or "function". */
function frames(): array
{
    return array_map(fn (array $f) => ($f['class'] ?? '') . ($f['type'] ?? '') . $f['function'], debug_backtrace());
}

final class Probe extends AsyncTask\Task
{
    public function __construct() {}
    public function handle(): mixed { return frames(); }
}

final class Fails extends AsyncTask\Task
{
    public function __construct() {}
    public function handle(): mixed { fail(); }
}

/** What tasks of every kind see of the stack, and the dispatcher's names they must not see. */
function check(string $startedBy, array $dispatcherNames): void
{
    echo "--- pool started by $startedBy\n";
    $traces = [];
    foreach (['closure' => fn () => fail(), 'Task subclass' => new Fails()] as $kind => $task) {
        try {
            ($task instanceof AsyncTask\Task ? $task->dispatch() : AsyncTask\dispatch($task))->wait();
        } catch (AsyncTask\TaskFailedException $e) {
            $traces[] = $trace = $e->getRemoteTraceAsString();
            echo "$kind, exception trace:\n$trace\n";
        }
    }
    $seen = [
        'closure' => AsyncTask\dispatch(fn () => frames())->wait(),
        'named function' => AsyncTask\dispatch('App\frames')->wait(),
        'Task subclass' => (new Probe())->dispatch()->wait(),
    ];
    foreach ($seen as $kind => $frames) {
        echo "$kind, debug_backtrace(): ", implode(' < ', $frames), "\n";
    }
    $all = implode("\n", $traces) . "\n" . implode("\n", array_merge(...array_values($seen)));
    foreach ($dispatcherNames as $name) {
        if (str_contains($all, $name)) {
            echo "the task sees the dispatcher's $name\n";
        }
    }
}

class Boot
{
    public function __construct(private string $label) {}

    public function startsThePool(): void
    {
        AsyncTask\Pool::start();
    }

    public function whoAmI(): string
    {
        return $this->label;
    }

    /** A callable that is callable here only with this $this. */
    public function sendsByName(): string
    {
        return AsyncTask\dispatch('App\Boot::whoAmI')->wait();
    }
}

function dispatchesFirst(): int
{
    return AsyncTask\dispatch(fn () => 1)->wait();
}

function forksInDispatch(): int
{
    return dispatchesFirst();
}

function boot(): void
{
    (new Boot('the Boot that started the pool'))->startsThePool();
}

boot();
check('Pool::start() in App\boot() > App\Boot->startsThePool()', ['App\boot', 'startsThePool', 'Pool::start']);
// nor is a callable resolved in those frames (it ran on a copy of the Boot that started the pool)
try {
    echo (new Boot('the dispatching Boot'))->sendsByName(), "\n";
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getMessage(), "\n";
}
AsyncTask\Pool::stop();

forksInDispatch();
check('dispatch() in App\forksInDispatch() > App\dispatchesFirst()', ['forksInDispatch', 'dispatchesFirst', 'AsyncTask\dispatch']);
?>
--EXPECTF--
--- pool started by Pool::start() in App\boot() > App\Boot->startsThePool()
closure, exception trace:
#0 %s(%d): App\fail()
#1 [internal function]: App\{closure}()
#2 {main}
Task subclass, exception trace:
#0 %s(%d): App\fail()
#1 [internal function]: App\Fails->handle()
#2 {main}
closure, debug_backtrace(): App\frames < App\{closure}
named function, debug_backtrace(): App\frames
Task subclass, debug_backtrace(): App\frames < App\Probe->handle
App\Boot::whoAmI is not callable in the worker: non-static method App\Boot::whoAmI() cannot be called statically
--- pool started by dispatch() in App\forksInDispatch() > App\dispatchesFirst()
closure, exception trace:
#0 %s(%d): App\fail()
#1 [internal function]: App\{closure}()
#2 {main}
Task subclass, exception trace:
#0 %s(%d): App\fail()
#1 [internal function]: App\Fails->handle()
#2 {main}
closure, debug_backtrace(): App\frames < App\{closure}
named function, debug_backtrace(): App\frames
Task subclass, debug_backtrace(): App\frames < App\Probe->handle
