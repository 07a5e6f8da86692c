--TEST--
Destructors in the worker: the task's value is released after its outcome was reported (exit() or a fatal error there ends the worker, which is replaced, and the task keeps its value; an exception there is logged); its arguments, use variables and bound $this are released as it returns (their exit(), exception or fatal error is the task's own); the next task always runs on a sound worker
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$log = asynctask_test_dir('destructors') . '/log';
ini_set('asynctask.log', $log);

define('CALLER', getmypid());  // the workers inherit it

/* What the destructors below do in a worker; their copies here do nothing. */
function destroyed(string $how): void
{
    if (getmypid() === CALLER) {
        return;
    }
    match ($how) {
        'exit' => exit(3),
        'throw' => throw new LogicException('thrown by a destructor'),
        'fatal' => trigger_error('fatal error in a destructor', E_USER_ERROR),
    };
}

final class Destroyed
{
    public function __construct(public string $how) {}
    public function __destruct() { destroyed($this->how); }
}

/* A Task subclass: the task object itself is released as the task returns. */
final class DestroyedTask extends AsyncTask\Task
{
    public function __construct(public string $how) {}
    public function handle(): mixed { return 'returned'; }
    public function __destruct() { destroyed($this->how); }
}

function outcome(AsyncTask\Future $f): string
{
    try {
        $v = $f->wait(10);
        return 'value ' . (is_object($v) ? get_class($v) : var_export($v, true));
    } catch (AsyncTask\Exception $e) {
        return get_class($e) . ': ' . $e->getMessage();
    }
}

function worker(): int
{
    return Pool::stats()['worker_pids'][0];
}

/* The manager replaces a worker once it has reaped it, which may come after
 * the next task ran on the pool's other worker: wait for it (5 s at most). */
function replaced(int $before): bool
{
    $until = microtime(true) + 5;
    do {
        if (worker() !== $before) {
            return true;
        }
        usleep(10000);
    } while (microtime(true) < $until);
    return false;
}

Pool::start();
foreach (['exit', 'throw', 'fatal'] as $how) {
    echo "-- $how\n";
    $before = worker();
    // the value's destructor runs in the worker after the result was posted
    echo "value: ", outcome(AsyncTask\dispatch(function (string $how) {
        return new Destroyed($how);
    }, $how)), "\n";
    echo "next: ", outcome(AsyncTask\dispatch('strrev', 'ok')), "\n";
    echo "worker replaced: ", var_export(replaced($before), true), "\n";

    // an argument, a use variable, the bound $this: destroyed in the worker as the task returns
    $arg = new Destroyed($how);
    echo "argument: ", outcome(AsyncTask\dispatch(fn (Destroyed $d) => 'returned', $arg)), "\n";
    echo "use variable: ", outcome(AsyncTask\dispatch(function () use ($arg) { return 'returned'; })), "\n";
    // (a closure that never uses $this would not take it along: see tests/codec/closures/this_unused)
    $bound = Closure::bind(function () { return $this->how === '' ? '' : 'returned'; }, $arg, Destroyed::class);
    echo "bound \$this: ", outcome(AsyncTask\dispatch($bound)), "\n";
    echo "Task object: ", outcome((new DestroyedTask($how))->dispatch()), "\n";
    echo "next: ", outcome(AsyncTask\dispatch('strrev', 'ok')), "\n";
    unset($arg, $bound);
}
$s = Pool::stats();
printf("dispatched %d = completed %d + failed %d (crashed %d)\n", $s['dispatched'], $s['completed'], $s['failed'], $s['crashed']);
Pool::stop();
$logged = file_get_contents($log);
var_dump(substr_count($logged, 'thrown by a destructor') >= 1,
    str_contains($logged, 'fatal error in a destructor'));
?>
--EXPECTF--
-- exit
value: value Destroyed
next: value 'ko'
worker replaced: true
argument: AsyncTask\WorkerCrashedException: the task called exit() (status 3); its worker was replaced
use variable: AsyncTask\WorkerCrashedException: the task called exit() (status 3); its worker was replaced
bound $this: AsyncTask\WorkerCrashedException: the task called exit() (status 3); its worker was replaced
Task object: AsyncTask\WorkerCrashedException: the task called exit() (status 3); its worker was replaced
next: value 'ko'
-- throw
value: value Destroyed
next: value 'ko'
worker replaced: false
argument: AsyncTask\TaskFailedException: thrown by a destructor
use variable: AsyncTask\TaskFailedException: thrown by a destructor
bound $this: AsyncTask\TaskFailedException: thrown by a destructor
Task object: AsyncTask\TaskFailedException: thrown by a destructor
next: value 'ko'
-- fatal
value: value Destroyed
next: value 'ko'
worker replaced: true
argument: AsyncTask\WorkerCrashedException: fatal error in a destructor
use variable: AsyncTask\WorkerCrashedException: fatal error in a destructor
bound $this: AsyncTask\WorkerCrashedException: fatal error in a destructor
Task object: AsyncTask\WorkerCrashedException: fatal error in a destructor
next: value 'ko'
dispatched 21 = completed 9 + failed 12 (crashed 8)
bool(true)
bool(true)
