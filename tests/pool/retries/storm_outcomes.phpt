--TEST--
A retry storm with mixed outcomes: 1,000 tasks with retries while workers are killed (SIGKILL) at random from outside: a quarter throw on every run (withRetries(2): each ends failed, after exactly 3 attempts, its last run's failure), half throw on their first two runs, a quarter exit() on their first (both end with their own value); every task ends exactly once in the outcome it should, and stats() count each once (completed, failed, retried exact)
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=4
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

// under valgrind or ASan (USE_ZEND_ALLOC=0) every process runs many times slower
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 10 : 1;
$tmp = asynctask_test_dir('retry_storm_outcomes');
ini_set('asynctask.tmpdir', $tmp);
AsyncTask\Pool::start();
$start = hrtime(true);
$n = 1000;
$kind = fn (int $i): string => ['fails', 'throws twice', 'exits once', 'throws twice'][$i % 4];
$futures = [];
for ($i = 0; $i < $n; $i++) {
    $task = new Task(function (int $i, string $kind) {
        $attempt = AsyncTask\context()->attempt();
        usleep(2000);   // long enough for the kills to hit tasks under way
        if ($kind === 'fails') {
            throw new DomainException("task $i fails, attempt $attempt");
        }
        if ($kind === 'throws twice' && $attempt <= 2) {
            throw new RuntimeException("task $i, attempt $attempt");
        }
        if ($kind === 'exits once' && $attempt === 1) {
            exit(3);
        }
        return [$i, $attempt];
    }, $i, $kind($i));
    $futures[$i] = ($kind($i) === 'fails' ? $task->withRetries(2, 0.01) : $task->withRetries(8, 0.01))->dispatch();
}

// kill a random worker every 10 ms (60 at most) until every task has settled
mt_srand(7);
$kills = 0;
$settled = [];
while (count($settled) < $n && asynctask_test_elapsed($start) < 50 * $slow) {
    foreach ($futures as $i => $f) {
        if (!isset($settled[$i]) && $f->isDone()) {
            $settled[$i] = true;
        }
    }
    $pids = AsyncTask\Pool::stats()['worker_pids'];
    if ($pids && $kills < 60) {
        posix_kill($pids[mt_rand(0, count($pids) - 1)], SIGKILL) && $kills++;
    }
    usleep(10000);
}

$outcomes = [];
$runs_before_last = 0;
$bad = [];
foreach ($futures as $i => $f) {
    try {
        [$id, $attempt] = $f->wait(10 * $slow);
        $outcomes[$kind($i)]['value'] = ($outcomes[$kind($i)]['value'] ?? 0) + 1;
        if ($id !== $i || $kind($i) === 'fails' || $attempt < ($kind($i) === 'exits once' ? 2 : 3)) {
            $bad[] = "$i ({$kind($i)}): got task $id at attempt $attempt";
        }
        $runs_before_last += $attempt - 1;
    } catch (AsyncTask\TaskFailedException $e) {
        // its last run threw (TaskFailedException) or was killed (WorkerCrashedException)
        $as = get_class($e) === AsyncTask\WorkerCrashedException::class ? 'crashed' : $e->getRemoteClass();
        $outcomes[$kind($i)][$as] = ($outcomes[$kind($i)][$as] ?? 0) + 1;
        if ($kind($i) !== 'fails' || $e->getAttempts() !== 3 || !preg_match('/\(after 3 attempts\)$/', $e->getMessage())) {
            $bad[] = "$i ({$kind($i)}): " . get_class($e) . ': ' . $e->getMessage() . ' attempts ' . $e->getAttempts();
        }
        $runs_before_last += $e->getAttempts() - 1;
    } catch (Throwable $e) {
        $bad[] = "$i ({$kind($i)}): " . get_class($e) . ': ' . $e->getMessage();
    }
}
ksort($outcomes);
// a "fails" task whose last run was killed ends crashed: both are its failure
$failed = ($outcomes['fails']['DomainException'] ?? 0) + ($outcomes['fails']['crashed'] ?? 0);
var_dump($outcomes['exits once'], $outcomes['throws twice'], $failed, array_slice($bad, 0, 5));
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['cancelled']);
var_dump($s['retried'] === $runs_before_last ?: "retried {$s['retried']}, runs before the last $runs_before_last");
var_dump($kills > 10, asynctask_test_elapsed($start) < 60 * $slow);
usleep(300000);
var_dump(count(glob("$tmp/*/spill-*")));
?>
--EXPECT--
array(1) {
  ["value"]=>
  int(250)
}
array(1) {
  ["value"]=>
  int(500)
}
int(250)
array(0) {
}
int(1000)
int(750)
int(250)
int(0)
bool(true)
bool(true)
bool(true)
int(0)
