<?php

declare(strict_types=1);

/*
 * Thrown by a HandleEnvelope task whose message Messenger's retry strategy sends for retry, when
 * the task was dispatched with the strategy's retries as its own (Task::withRetries()): the pool
 * runs the task again after its backoff, on whichever worker of the queue is free, instead of
 * the worker waiting for the delay.
 */

namespace AsyncTask\Symfony\Messenger\Worker;

final class RetryInPool extends \RuntimeException
{
}
