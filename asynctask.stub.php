<?php

/**
 * @generate-class-entries
 * @undocumentable
 */

namespace AsyncTask {

    class Task
    {
        public function __construct(callable $callable, mixed ...$args) {}

        public function handle(): mixed {}

        public function dispatch(): Future {}

        public function withTimeout(float $seconds): static {}

        /** @var int */
        public const LOW = -1;
        /** @var int */
        public const NORMAL = 0;
        /** @var int */
        public const HIGH = 1;

        public function onQueue(string $queue): static {}

        public function delay(float $seconds): static {}

        public function withRetries(int $times, float|array $backoff = 1.0): static {}

        public function withPriority(int $priority): static {}

        public function then(callable|Task $next): static {}
    }

    /**
     * @strict-properties
     * @not-serializable
     */
    final class Future
    {
        private function __construct() {}

        public function id(): string {}

        public function isDone(): bool {}

        public function wait(?float $timeout = null): mixed {}

        public function cancel(): bool {}

        public static function all(array $futures, ?float $timeout = null): array {}

        public static function any(array $futures, ?float $timeout = null): int|string {}
    }

    /**
     * @strict-properties
     * @not-serializable
     */
    final class Pool
    {
        private function __construct() {}

        public static function start(?int $workers = null): void {}

        public static function stop(?float $timeout = null): void {}

        public static function reload(): void {}

        public static function stats(): array {}

        public static function serve(): void {}
    }

    /**
     * @strict-properties
     * @not-serializable
     */
    final class TaskContext
    {
        private function __construct() {}

        public function id(): string {}

        public function attempt(): int {}

        public function queue(): string {}

        public function node(): string {}

        public function dispatchedAt(): float {}
    }

    class Exception extends \RuntimeException
    {
    }

    class SerializationException extends Exception
    {
    }

    class QueueFullException extends Exception
    {
    }

    class TimeoutException extends Exception
    {
    }

    class TaskFailedException extends Exception
    {
        private string $remoteClass = "";
        private string $remoteTrace = "";
        private int $attempts = 1;

        public function getRemoteClass(): string {}

        public function getRemoteTraceAsString(): string {}

        /** How many times the task ran (Task::withRetries()): 1 without retries. */
        public function getAttempts(): int {}
    }

    class TaskTimeoutException extends TaskFailedException
    {
    }

    class WorkerCrashedException extends TaskFailedException
    {
    }

    /** A remote backend cannot be reached in time, or refused us (credentials, secret, a command). */
    class BackendException extends Exception
    {
    }

    function dispatch(callable $callable, mixed ...$args): Future {}

    function map(callable $callable, iterable $items): array {}

    function context(): ?TaskContext {}
}

namespace AsyncTask\Testing {
#ifdef ASYNCTASK_FAULT_INJECTION
    /** Test builds only: the payload bytes dispatch() would queue for this call. */
    function encode(callable $callable, mixed ...$args): string {}

    /** Test builds only: queues raw payload bytes as a task (decoder fuzzing). */
    function dispatchPayload(string $payload): \AsyncTask\Future {}

    /** Test builds only: a value as it travels (the compact encoding when it allows, else the configured serializer's). */
    function encodeValue(mixed $value): string {}

    /** Test builds only: the value a received encoding decodes to (throws SerializationException when corrupt). */
    function decodeValue(string $bytes): mixed {}

    /** Test builds only: a failure report's wire form (src/codec/remote_error.h) of class, message, file, trace, code, line. */
    function encodeError(array $error): string {}

    /** Test builds only: the fields of a failure report's wire form, or null when the bytes are not one. */
    function decodeError(string $bytes): ?array {}

    /** Test builds only: the remote error's bytes a worker reports for this exception (what a failed result carries). */
    function encodeException(\Throwable $exception): string {}

    /** Test builds only: HMAC-SHA256 of $data under $key, raw bytes (the Redis backend's signature). */
    function hmacSha256(string $key, string $data): string {}

    /** Test builds only: the signed wire entry of these fields (src/redis/wire.h). */
    function wireEncode(array $entry, string $secret): string {}

    /** Test builds only: the fields of a signed wire entry, or AsyncTask\Exception with the refusal. */
    function wireDecode(string $bytes, string $kind, string $secret, ?int $maxPayload = null): array {}

    /** Test builds only: the key that signs entries under the current secret and prefix (src/api/redis/secret.h), or BackendException. */
    function signingKey(): string {}
#endif
#if defined(ASYNCTASK_FAULT_INJECTION) && defined(HAVE_ASYNCTASK_REDIS)
    /** Test builds only: a command on this process's connection to asynctask.backend, and its reply. */
    function redisCommand(string ...$args): mixed {}
#endif
}
