--TEST--
Task::withRetries(): a run whose worker dies (SIGKILL from the task itself, exit(), a fatal error) runs again in the pool, attempt() one higher, until it succeeds; when no run is left, WorkerCrashedException of the last run says how many attempts; the task's file is gone at the end; stats() count each retried run once and no crash for a task that then succeeded
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

$tmp = asynctask_test_dir('retry_crash');
ini_set('asynctask.tmpdir', $tmp);
AsyncTask\Pool::start();

$dies = function (string $how, int $until) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < $until) {
        match ($how) {
            'kill' => posix_kill(getmypid(), SIGKILL),
            'exit' => exit(3),
            'fatal' => trigger_error('unusable', E_USER_ERROR),   // a fatal error
        };
    }
    return "$how: attempt $attempt";
};
foreach (['kill', 'exit', 'fatal'] as $how) {
    var_dump((new Task($dies, $how, 3))->withRetries(2, 0.01)->dispatch()->wait(20));
}

try {
    (new Task($dies, 'kill', 10))->withRetries(1, 0.01)->dispatch()->wait(20);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo get_class($e), ': ', preg_replace('/\d+/', 'N', $e->getMessage()), "\n";
    var_dump($e->getAttempts());
}

$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['crashed'], $s['retried']);
// the tasks' files (spill-*) are gone once their last run ended
var_dump(glob("$tmp/*/spill-*") ?: glob("$tmp/spill-*"));
?>
--EXPECT--
string(15) "kill: attempt 3"
string(15) "exit: attempt 3"
string(16) "fatal: attempt 3"
AsyncTask\WorkerCrashedException: the worker (pid N) running task N was killed by signal N (Killed) (after N attempts)
int(2)
int(4)
int(3)
int(1)
int(1)
int(7)
array(0) {
}
