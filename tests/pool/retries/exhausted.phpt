--TEST--
Task::withRetries(): a task that keeps throwing fails once its runs are spent: TaskFailedException of the last run, its message saying how many attempts, getAttempts(), and getPrevious() the remote previous chain (each a TaskFailedException with its own remote class, message, code, file and line); without retries the chain crosses too and getAttempts() is 1; the chain is cut at 16 links
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

function show(Throwable $e): void
{
    echo get_class($e), ': ', $e->getMessage(), "\n";
    echo '  attempts: ', $e->getAttempts(), ', remote: ', $e->getRemoteClass(), "\n";
    for ($p = $e->getPrevious(), $i = 1; $p; $p = $p->getPrevious(), $i++) {
        echo "  previous $i: ", get_class($p), ' ', $p->getRemoteClass(), ' "', $p->getMessage(), '" code ',
            $p->getCode(), ' ', basename($p->getFile()), ':', $p->getLine() > 0 ? 'line' : 'none', "\n";
    }
}

AsyncTask\Pool::start();
$failing = function () {
    $attempt = AsyncTask\context()->attempt();
    $root = new LogicException("root cause $attempt", 11);
    throw new RuntimeException("attempt $attempt failed", 42, new InvalidArgumentException("middle $attempt", 7, $root));
};
try {
    (new Task($failing))->withRetries(2, [0.01])->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    show($e);
    var_dump($e->getCode());
}

try {
    AsyncTask\dispatch($failing)->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    show($e);
}

try {
    AsyncTask\dispatch(function () {
        $e = null;
        for ($i = 30; $i >= 1; $i--) {
            $e = new Exception("link $i", $i, $e);
        }
        throw new RuntimeException('top', 0, $e);
    })->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    $n = 0;
    for ($p = $e->getPrevious(); $p; $p = $p->getPrevious()) {
        $last = $p;
        $n++;
    }
    echo "links: $n, last: ", $last->getMessage(), "\n";
}

$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['failed'], $s['retried']);
?>
--EXPECT--
AsyncTask\TaskFailedException: attempt 3 failed (after 3 attempts)
  attempts: 3, remote: RuntimeException
  previous 1: AsyncTask\TaskFailedException InvalidArgumentException "middle 3" code 7 exhausted.php:line
  previous 2: AsyncTask\TaskFailedException LogicException "root cause 3" code 11 exhausted.php:line
int(42)
AsyncTask\TaskFailedException: attempt 1 failed
  attempts: 1, remote: RuntimeException
  previous 1: AsyncTask\TaskFailedException InvalidArgumentException "middle 1" code 7 exhausted.php:line
  previous 2: AsyncTask\TaskFailedException LogicException "root cause 1" code 11 exhausted.php:line
links: 16, last: link 16
int(3)
int(3)
int(2)
