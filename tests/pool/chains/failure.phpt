--TEST--
Task::then() failures: the first link that fails stops the chain (the links after it never run) and the Future fails with that link's exception, its message naming the link; a link's retries apply to it alone (it runs again, then the chain goes on); a link whose worker dies fails the chain with WorkerCrashedException naming the link
--EXTENSIONS--
asynctask
posix
--INI--
pcre.jit=0
asynctask.workers=2
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('chain_failure');
AsyncTask\Pool::start();
$mark = function (mixed $previous, string $dir, string $name) {
    touch("$dir/$name");
    return $previous;
};

try {
    (new Task(fn () => 1))
        ->then(function (int $n) { throw new DomainException("link 2 refuses $n", 5); })
        ->then(new Task($mark, $dir, 'after-failure'))
        ->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), ' [', $e->getRemoteClass(), ' ', $e->getCode(), "]\n";
}
usleep(200000);
var_dump(file_exists("$dir/after-failure"));

// retries on the second link only: it fails twice, runs a third time, the chain goes on
$flaky = (new Task(function (int $n) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < 3) {
        throw new RuntimeException("attempt $attempt");
    }
    return $n * 10 + $attempt;
}))->withRetries(2, 0.01);
var_dump((new Task(fn () => 4))->then($flaky)->then(fn (int $n) => "got $n")->dispatch()->wait(10));

// a link whose retries run out fails the chain, saying the attempts and the link
try {
    (new Task(fn () => 4))
        ->then((new Task(function () { throw new RuntimeException('always'); }))->withRetries(1, 0.01))
        ->then('strrev')
        ->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), ' (attempts ', $e->getAttempts(), ")\n";
}

// a link whose worker dies
try {
    (new Task(fn () => 1))
        ->then(fn () => 2)
        ->then(function () { posix_kill(getmypid(), SIGKILL); })
        ->dispatch()->wait(10);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo get_class($e), ': ', preg_replace('/(pid|task) \d+/', '$1 N', $e->getMessage()), "\n";
}

$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['crashed'], $s['retried']);
?>
--EXPECT--
AsyncTask\TaskFailedException: link 2 refuses 1 (link 2 of 3 of the chain, Task::then()) [DomainException 5]
bool(false)
string(6) "got 43"
AsyncTask\TaskFailedException: always (link 2 of 3 of the chain, Task::then()) (after 2 attempts) (attempts 2)
AsyncTask\WorkerCrashedException: the worker (pid N) running task N was killed by signal 9 (Killed) (link 3 of 3 of the chain, Task::then())
int(4)
int(1)
int(3)
int(1)
int(3)
