<?php

declare(strict_types=1);

/*
 * The queue of an 'asynctask' connection. push()/later()/pushRaw() dispatch the job's payload (the
 * JSON Laravel makes for every driver) to the asynctask pool as a RunJob task: a delay becomes
 * Task::delay(), the job's tries and backoff (or the connection's) become Task::withRetries() with
 * the backoff as its list of delays, its timeout becomes the task's time limit (plus a margin: the
 * worker enforces the job's own timeout first, as queue:work does). pop() returns null: the pool's
 * workers run the jobs, there is nothing for `queue:work` to take.
 *
 * A chain whose jobs all run on this connection and queue travels as a pool chain (Task::then(),
 * chainLinks()). Inside a pool worker a task cannot dispatch a task: a job dispatched to this
 * connection while a worker runs a job (a job a job dispatches, the next job of a chain that
 * could not be mapped) is handed to that worker's JobRunner, which runs it after the current job
 * once its delay has passed.
 */

namespace AsyncTask\Laravel;

use AsyncTask\Laravel\Worker\JobRunner;
use AsyncTask\Laravel\Worker\RunJob;
use DateInterval;
use DateTimeInterface;
use Illuminate\Contracts\Queue\Queue as QueueContract;
use Illuminate\Queue\Queue;
use RuntimeException;

class AsyncTaskQueue extends Queue implements QueueContract
{
    /** the pool runs a task at most this many more times (Task::withRetries()) */
    public const MAX_RETRIES = 1000;

    /** seconds the pool's time limit of a job adds to the job's timeout, which the worker enforces first */
    public const TIMEOUT_MARGIN = 5;

    public function __construct(
        private readonly string $defaultQueue = 'default',
        private readonly int $tries = 1,
        private readonly string $backoff = '0',
        private readonly int $timeout = 60,
        bool $dispatchAfterCommit = false,
    ) {
        $this->dispatchAfterCommit = $dispatchAfterCommit;
    }

    public function size($queue = null): int
    {
        $figures = \AsyncTask\Pool::stats()['queues'][$this->getQueue($queue)] ?? [];

        // over Redis (a dispatcher or a node): the queue's streams, taken entries included, and its delayed
        // set, as Laravel's own redis driver counts; on this machine's pool: the tasks waiting in the queue
        return isset($figures['stream_length'])
            ? (int) $figures['stream_length'] + (int) ($figures['delayed'] ?? 0)
            : (int) ($figures['queued'] ?? 0);
    }

    public function push($job, $data = '', $queue = null): mixed
    {
        $queue = $this->getQueue($queue);
        [$job, $links] = $this->chainLinks($job, $queue);

        return $this->enqueueUsing($job, $this->createPayload($job, $queue, $data), $queue, null,
            fn (string $payload, string $queue) => $this->dispatchPayload($payload, $queue, 0.0, $links));
    }

    public function pushRaw($payload, $queue = null, array $options = []): mixed
    {
        return $this->dispatchPayload($payload, $this->getQueue($queue), $this->seconds($options['delay'] ?? 0));
    }

    public function later($delay, $job, $data = '', $queue = null): mixed
    {
        $queue = $this->getQueue($queue);
        [$job, $links] = $this->chainLinks($job, $queue);

        return $this->enqueueUsing($job, $this->createPayload($job, $queue, $data), $queue, $delay,
            fn (string $payload, string $queue, $delay) => $this->dispatchPayload($payload, $queue, $this->seconds($delay), $links));
    }

    /** Nothing to pop: the pool's workers run the jobs. */
    public function pop($queue = null): mixed
    {
        return null;
    }

    public function getQueue(?string $queue): string
    {
        return $queue ?: $this->defaultQueue;
    }

    /** The connection's defaults for what a job's payload does not say: tries, backoff, timeout. */
    public function defaults(): array
    {
        return ['tries' => $this->tries, 'backoff' => $this->backoff, 'timeout' => $this->timeout];
    }

    /**
     * The delays (s) of the retries a job gets: its maxTries (or the connection's tries) less one,
     * each waiting the backoff of its attempt (the job's, or the connection's; the last repeats),
     * as queue:work's Worker::calculateBackoff() gives them. A job with retryUntil, or with
     * maxTries 0 (no limit), gets MAX_RETRIES: its retryUntil is checked in the worker.
     *
     * @return list<int>
     */
    public static function retryPlan(array $payload, int $tries, string $backoff): array
    {
        $maxTries = $payload['maxTries'] ?? $tries;
        $retries = (!empty($payload['retryUntil']) || 0 === (int) $maxTries) ? self::MAX_RETRIES : max(0, (int) $maxTries - 1);
        $retries = min($retries, self::MAX_RETRIES);
        $steps = explode(',', (string) ($payload['backoff'] ?? $backoff));
        $plan = [];
        for ($attempt = 1; $attempt <= $retries; ++$attempt) {
            $plan[] = max(0, (int) ($steps[$attempt - 1] ?? end($steps)));
        }

        return $plan;
    }

    /**
     * A job with a chain (Bus::chain(), ->chain()) whose next jobs all run on this connection and
     * queue without a delay of their own travels as one pool chain (Task::then()): each next job
     * becomes a link with its own payload, tries, backoff and timeout, and an empty chain of its
     * own, so that Laravel's CallQueuedHandler does not dispatch it a second time. Any other chain
     * (a next job on another connection or queue, or delayed) is left to Laravel: the worker
     * dispatches the next job after a success (to this connection: JobRunner::defer()).
     *
     * @return array{0: mixed, 1: list<string>} the job (a copy with no chain when the chain is
     *                                          mapped) and the payloads of the links after it
     */
    private function chainLinks(mixed $job, string $queue): array
    {
        if (!\is_object($job) || empty($job->chained) || !\is_array($job->chained) || \count($job->chained) >= 1000
            || !\extension_loaded('asynctask') || null !== \AsyncTask\context()) {
            return [$job, []];
        }
        $default = $this->container->bound('config') ? $this->container['config']['queue.default'] : null;
        $links = [];
        foreach ($job->chained as $serialized) {
            $next = unserialize($serialized);
            if (!\is_object($next)) {
                return [$job, []];
            }
            // what Queueable::dispatchNextJobInChain() sets on the next job
            $next->connection = $next->connection ?? $job->chainConnection ?? null;
            $next->queue = $next->queue ?? $job->chainQueue ?? null;
            if (($next->connection ?? $default) !== $this->getConnectionName() || $this->getQueue($next->queue) !== $queue || !empty($next->delay)) {
                return [$job, []];
            }
            $next->chained = [];
            $next->chainConnection = $job->chainConnection ?? null;
            $next->chainQueue = $job->chainQueue ?? null;
            $next->chainCatchCallbacks = $job->chainCatchCallbacks ?? null;
            $links[] = $this->createPayload($next, $queue);
        }
        $first = clone $job;
        $first->chained = [];

        return [$first, $links];
    }

    /** @param list<string> $links the payloads of the jobs chained after this one (Task::then()) */
    private function dispatchPayload(string $payload, string $queue, float $delay, array $links = []): string
    {
        if (!\extension_loaded('asynctask')) {
            throw new RuntimeException(sprintf('The queue connection "%s" (driver asynctask) needs the asynctask extension, which this PHP (%s) does not load.', $this->getConnectionName(), \PHP_SAPI));
        }
        $decoded = json_decode($payload, true);
        if (!\is_array($decoded)) {
            throw new RuntimeException('asynctask/laravel: the job payload is not a JSON object.');
        }

        if (null !== \AsyncTask\context()) {
            $runner = JobRunner::current();
            if (null === $runner) {
                throw new RuntimeException(sprintf('A job cannot be pushed to the queue connection "%s" from inside a pool task that is not running a Laravel job: a task cannot dispatch tasks.', $this->getConnectionName()));
            }
            $runner->defer($this->getConnectionName(), $queue, $payload, $delay);

            return (string) ($decoded['uuid'] ?? '');
        }

        $task = $this->task($payload, $decoded, $queue, [] !== $links)->onQueue($queue);
        if ($delay > 0) {
            $task->delay($delay);
        }
        foreach ($links as $i => $link) {
            $task->then($this->task($link, (array) json_decode($link, true), $queue, $i < \count($links) - 1));
        }

        return $task->dispatch()->id();
    }

    /** The pool task of one job: its retries and time limit from its payload (or the connection). */
    private function task(string $payload, array $decoded, string $queue, bool $chainNext): RunJob
    {
        $plan = self::retryPlan($decoded, $this->tries, $this->backoff);
        $task = new RunJob($this->getConnectionName(), $queue, $payload, \count($plan), $chainNext);
        if ($plan) {
            $task->withRetries(\count($plan), $plan);
        }
        $timeout = (int) ($decoded['timeout'] ?? $this->timeout);
        if ($timeout > 0) {
            $task->withTimeout($timeout + self::TIMEOUT_MARGIN);
        }

        return $task;
    }

    private function seconds(DateTimeInterface|DateInterval|int|float|null $delay): float
    {
        if (null === $delay) {
            return 0.0;
        }
        if (is_int($delay) || is_float($delay)) {
            return max(0.0, (float) $delay);
        }
        // Laravel's own helper (whole seconds, from now)
        return (float) max(0, $this->secondsUntil($delay));
    }
}
