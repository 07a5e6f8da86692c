<?php
/*
 * What fails, and how it comes back.
 *   php -d extension=modules/asynctask.so examples/errors.php
 */
declare(strict_types=1);

use AsyncTask\SerializationException;
use AsyncTask\TaskFailedException;
use AsyncTask\TaskTimeoutException;
use AsyncTask\TimeoutException;
use AsyncTask\WorkerCrashedException;
use function AsyncTask\dispatch;

// The task threw: the exception comes back as TaskFailedException.
try {
    dispatch(function (): never {
        throw new InvalidArgumentException('bad input', 42);
    })->wait();
} catch (TaskFailedException $e) {
    printf("failed: %s: %s (code %d) at %s:%d\n",
        $e->getRemoteClass(), $e->getMessage(), $e->getCode(), basename($e->getFile()), $e->getLine());
}

// Refused at dispatch(): it cannot cross a process boundary.
$counter = 0;
try {
    dispatch(function () use (&$counter): void { $counter++; });
} catch (SerializationException $e) {
    echo "refused: ", $e->getMessage(), "\n";
}
try {
    dispatch('fstat', STDIN);
} catch (SerializationException $e) {
    echo "refused: ", $e->getMessage(), "\n";
}

// wait() gave up; the task goes on, and can be waited for again.
$slow = dispatch(function (): string { usleep(500_000); return 'done'; });
try {
    $slow->wait(0.05);
} catch (TimeoutException $e) {
    echo "not yet: ", $e->getMessage(), "\n";
}
echo "later: ", $slow->wait(), "\n";

// The task ran past its time limit: its worker is killed and replaced.
try {
    (new AsyncTask\Task(function (): void { sleep(30); }))->withTimeout(0.5)->dispatch()->wait();
} catch (TaskTimeoutException $e) {
    echo "timed out: ", $e->getMessage(), "\n";
}

// The worker died under the task (here: it killed itself; exit() counts too).
try {
    dispatch(function (): void {
        function_exists('posix_kill') ? posix_kill(getmypid(), 9) : exit(3);
    })->wait();
} catch (WorkerCrashedException $e) {
    echo "crashed: ", $e->getMessage(), "\n";
}

print_r(AsyncTask\Pool::stats());
