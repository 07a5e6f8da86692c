<?php

/*
 * IDE and static-analysis stubs for the asynctask extension: every class, method,
 * constant and function it registers, with their types and docblocks. Never loaded by
 * PHP: point your IDE at this file, PHPStan's `scanFiles` and `stubFiles`, or Psalm's
 * `<stubs>`. AsyncTask\Testing (test builds only) is left out.
 *
 * Generated from the built extension and asynctask.stub.php: do not edit. Regenerate with
 *   php -d extension=modules/asynctask.so scripts/ide-stubs > stubs/asynctask.php
 */

namespace AsyncTask {
    /**
     * A unit of work for the pool: a callable and its arguments, or a subclass
     * that overrides handle() (with its own constructor; its properties travel
     * serialized). The job options (withTimeout(), delay(), withPriority(), ...)
     * are stored on the object and return it, so they chain.
     */
    class Task
    {
        /**
         * Priority: taken after every waiting NORMAL and HIGH task.
         * @var int
         */
        public const LOW = -1;

        /**
         * Priority: the default.
         * @var int
         */
        public const NORMAL = 0;

        /**
         * Priority: taken before every waiting NORMAL and LOW task.
         * @var int
         */
        public const HIGH = 1;

        /**
         * A closure (sent by code reference, its `use` variables copied), a
         * named or first-class callable, or an object with __invoke(); the
         * arguments are serialized with the task.
         */
        public function __construct(callable $callable, mixed ...$args) {}

        /**
         * Runs in the worker, on a copy of this task. By default it calls the
         * callable given to the constructor with its arguments; a subclass
         * overrides it. Its return value (or exception) settles the Future.
         */
        public function handle(): mixed {}

        /**
         * Puts the task on the queue (shared memory, or the Redis backend when
         * asynctask.backend is set) and returns at once.
         *
         * @throws SerializationException when the callable, an argument or a `use` variable cannot be sent, or the task is over asynctask.max_payload
         * @throws QueueFullException when the queue stayed full for asynctask.dispatch_timeout seconds
         * @throws BackendException when the remote backend cannot be used or reached
         * @throws Exception when the pool cannot start, or this build cannot honour an option the task asks for
         */
        public function dispatch(): \AsyncTask\Future {}

        /**
         * This task's time limit in seconds, overriding asynctask.task_timeout
         * (0 = no limit). Past it the worker is killed and replaced, and the
         * Future fails with TaskTimeoutException.
         */
        public function withTimeout(float $seconds): static {}

        /**
         * The named queue this task goes to ("default" unless set): 1 to 64 of
         * [A-Za-z0-9_.-]. README's Jobs section says which backends serve
         * named queues in this build.
         */
        public function onQueue(string $queue): static {}

        /** Runs the task no earlier than $seconds (>= 0) after dispatch(). */
        public function delay(float $seconds): static {}

        /**
         * On an exception, a crash or a time limit, runs the task again up to
         * $times more times; $backoff is the base in seconds of an exponential
         * backoff with jitter, or a list of seconds per retry (the last
         * repeats). The Future settles once, with the first success or the
         * last failure. README's Jobs section says which backends run retries
         * in this build.
         *
         * @phpstan-param float|list<float|int> $backoff
         */
        public function withRetries(int $times, array|float $backoff = 1.0): static {}

        /**
         * Task::LOW, Task::NORMAL or Task::HIGH: a waiting task of a higher
         * level is taken first; a running task is never interrupted.
         *
         * @phpstan-param self::LOW|self::NORMAL|self::HIGH $priority
         */
        public function withPriority(int $priority): static {}

        /**
         * Chains $next: it runs in the pool with this task's result as its first
         * argument, also when nobody waits; the Future settles with the last
         * result. README's Jobs section says which backends run chains in this
         * build.
         */
        public function then(\AsyncTask\Task|callable $next): static {}
    }

    /**
     * The result of a dispatched task, to come. Only the process that
     * dispatched the task can wait for it. A Future stays valid after a
     * timeout: wait again.
     */
    final class Future
    {
        private function __construct() {}

        /** The task's id, unique within this process (over Redis: 32 hex digits, the same as the task's context()->id()). */
        public function id(): string {}

        /** Whether the task has settled (a value or a failure); never blocks. */
        public function isDone(): bool {}

        /**
         * The task's return value, waiting for it as long as it takes, or up to
         * $timeout seconds.
         *
         * @throws TimeoutException past $timeout: the task goes on, wait again later
         * @throws TaskFailedException the task threw or could not run (TaskTimeoutException: killed past its time limit; WorkerCrashedException: its worker died)
         * @throws SerializationException the result could not be serialized in the worker
         * @throws Exception the task was cancelled, or this Future belongs to another process
         */
        public function wait(?float $timeout = null): mixed {}

        /**
         * Cancels a task that is still queued: true when it will never run
         * (wait() then throws AsyncTask\Exception); false when it already
         * started or finished.
         */
        public function cancel(): bool {}

        /**
         * Waits until every Future has settled, then throws the first failure
         * in key order, or returns the values with their keys.
         *
         * @phpstan-param array<array-key, Future> $futures
         * @phpstan-return array<array-key, mixed>
         * @throws TimeoutException past $timeout (never a partial array; every Future stays valid)
         * @throws TaskFailedException the first failure, in key order
         */
        public static function all(array $futures, ?float $timeout = null): array {}

        /**
         * The key of the first Future to settle, with a value or a failure.
         *
         * @phpstan-param non-empty-array<array-key, Future> $futures
         * @phpstan-return array-key
         * @throws TimeoutException past $timeout
         */
        public static function any(array $futures, ?float $timeout = null): string|int {}
    }

    /**
     * The pool of this process: a libevent manager and its forked workers.
     * The first dispatch() starts it; under php-fpm (asynctask.enable=1) it
     * belongs to the FPM master.
     */
    final class Pool
    {
        private function __construct() {}

        /**
         * Starts the pool now with $workers workers (default:
         * asynctask.workers); a no-op when it runs with that count. With a
         * Redis backend the pool is a node that takes tasks from Redis.
         *
         * @throws Exception when a pool runs with a different worker count, inside a task, or under php-fpm
         * @throws BackendException when the remote backend cannot be used or reached
         */
        public static function start(?int $workers = null): void {}

        /**
         * Drains the queue (up to $timeout seconds, default
         * asynctask.shutdown_timeout), then stops the pool; what is still
         * queued or running then is dropped. The next dispatch starts a new
         * pool.
         */
        public static function stop(?float $timeout = null): void {}

        /**
         * Replaces the workers one at a time, each after its current task, so
         * that code deployed on disk is picked up; returns once the reload
         * has begun.
         */
        public static function reload(): void {}

        /**
         * Counters and state of the pool, among them: workers, idle, running,
         * queued, dispatched, completed, failed, cancelled, crashed,
         * timed_out, respawned, dropped_results, mailboxes_used,
         * queue_bytes_used, queue_bytes_total, manager_pid (integers),
         * worker_pids (a list) and queues (the counters of each named queue,
         * by name).
         *
         * @phpstan-return array<string, int|list<int>|array<string, array<string, int>>>
         */
        public static function stats(): array {}

        /**
         * Runs this process as a node of the Redis backend (asynctask.backend)
         * until SIGTERM or SIGINT, then lets the running tasks finish (up to
         * asynctask.shutdown_timeout) and returns.
         *
         * @throws BackendException when the backend is not set, not built in, has no usable secret, or cannot be reached
         * @throws Exception when this process already runs a pool
         */
        public static function serve(): void {}
    }

    /** Which task is running, inside a task (see AsyncTask\context()). */
    final class TaskContext
    {
        private function __construct() {}

        /** The task's id: its Future's id(), the same on every attempt (a key for idempotent writes). */
        public function id(): string {}

        /** 1 on the first run; one higher on each delivery or retry after that. */
        public function attempt(): int {}

        /** The queue the task came from ("default" unless Task::onQueue() named another). */
        public function queue(): string {}

        /** asynctask.node of the machine running the task (the hostname when unset). */
        public function node(): string {}

        /** Unix time (seconds, as a float) of the dispatch. */
        public function dispatchedAt(): float {}
    }

    /** The base of every asynctask exception; thrown itself when the pool cannot start or be used. */
    class Exception extends \RuntimeException
    {
    }

    /** A task, argument, `use` variable or result cannot be encoded, or is over asynctask.max_payload; the message says which value and why. */
    class SerializationException extends \AsyncTask\Exception
    {
    }

    /** dispatch() found the queue full for asynctask.dispatch_timeout seconds. */
    class QueueFullException extends \AsyncTask\Exception
    {
    }

    /** A wait gave up past its timeout; the task goes on: wait again. */
    class TimeoutException extends \AsyncTask\Exception
    {
    }

    /**
     * The task threw, or could not run in the worker. getMessage(), getCode(),
     * getFile() and getLine() are the remote exception's.
     */
    class TaskFailedException extends \AsyncTask\Exception
    {
        private string $remoteClass = '';

        private string $remoteTrace = '';

        private int $attempts = 1;

        /** The class of the exception thrown in the worker, e.g. "InvalidArgumentException". */
        public function getRemoteClass(): string {}

        /** The worker's stack trace of that exception. */
        public function getRemoteTraceAsString(): string {}

        /** How many times the task ran (Task::withRetries()): 1 without retries. */
        public function getAttempts(): int {}
    }

    /** The task ran past its time limit: its worker was killed and replaced. */
    class TaskTimeoutException extends \AsyncTask\TaskFailedException
    {
    }

    /** The worker died while running the task (a signal, exit(), a fatal error), or the pool stopped before it reported. */
    class WorkerCrashedException extends \AsyncTask\TaskFailedException
    {
    }

    /** A remote backend cannot be reached in time, or refused us (credentials, secret, a command). */
    class BackendException extends \AsyncTask\Exception
    {
    }

    /**
     * Runs $callable with $args in the pool: shorthand for
     * (new Task($callable, ...$args))->dispatch().
     *
     * @throws SerializationException when the callable, an argument or a `use` variable cannot be sent
     * @throws QueueFullException when the queue stayed full for asynctask.dispatch_timeout seconds
     * @throws Exception when the pool cannot start
     */
    function dispatch(callable $callable, mixed ...$args): \AsyncTask\Future {}

    /**
     * Parallel map: one task per item, then waits for all of them like
     * Future::all(); keys and order are kept.
     *
     * @phpstan-param iterable<array-key, mixed> $items
     * @phpstan-return array<array-key, mixed>
     * @throws TaskFailedException the first failure, in key order
     */
    function map(callable $callable, iterable $items): array {}

    /** Which task this is, inside a task; null outside one. */
    function context(): ?\AsyncTask\TaskContext {}

    /**
     * This process's event stream, for event loops (Revolt/Amp, ReactPHP):
     * a read-only stream resource that becomes readable whenever one of this
     * process's Futures may have settled. Never read it: poll it (stream_select(),
     * EventLoop::onReadable()), then ask the Futures (isDone(), wait(0)), which
     * collect what came and re-arm it. A forked child calls it again for its own.
     * Attaches to the pool as dispatch() does.
     *
     * @return resource
     * @throws Exception when the pool cannot start or the stream cannot be made
     * @throws BackendException when the Redis backend is misconfigured
     */
    function events(): mixed {}
}
