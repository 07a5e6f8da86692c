<?php
/*
 * Retries: a task that throws (or whose worker dies, or that passes its time
 * limit) runs again in the pool after its backoff; context()->attempt() says
 * which run it is; the Future settles once, with the first success or the
 * last failure (which says how many attempts there were).
 *   php -d extension=modules/asynctask.so examples/jobs/retries.php
 */
declare(strict_types=1);

use AsyncTask\Task;

$start = hrtime(true);
$since = fn (): string => sprintf('%.3f s', (hrtime(true) - $start) / 1e9);

// a flaky call: fails twice, then works (backoff 0.1 s, then 0.2 s, with jitter)
$flaky = function (string $order): string {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < 3) {
        throw new RuntimeException("payment gateway timeout (attempt $attempt)");
    }
    return "order $order charged on attempt $attempt";
};
echo (new Task($flaky, 'A-1001'))->withRetries(4, 0.1)->dispatch()->wait(), " ({$since()})\n";

// a worker that dies is retried too; here a list of backoffs (the last repeats)
$dies = function (): string {
    if (AsyncTask\context()->attempt() === 1) {
        exit(1);   // the worker goes; the manager queues the task again
    }
    return 'survived its worker';
};
echo (new Task($dies))->withRetries(2, [0.05])->dispatch()->wait(), " ({$since()})\n";

// out of runs: the last failure, with the remote previous chain
try {
    (new Task(function (): never {
        throw new RuntimeException('still down', 503, new LogicException('DNS lookup failed'));
    }))->withRetries(2, [0.05, 0.1])->dispatch()->wait();
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
    echo '  attempts: ', $e->getAttempts(), ', code ', $e->getCode(), ', caused by ',
        $e->getPrevious()->getRemoteClass(), ': ', $e->getPrevious()->getMessage(), "\n";
}

$s = AsyncTask\Pool::stats();
echo "dispatched {$s['dispatched']}, completed {$s['completed']}, failed {$s['failed']}, retried {$s['retried']}\n";
