<?php

declare(strict_types=1);

/*
 * Thrown by a RunJob task whose job was released (by the job itself, or after an exception, by
 * Laravel's worker logic) while the task has retries left (Task::withRetries(), planned at push
 * from the job's tries and backoff): the pool runs the task again after that attempt's backoff,
 * on whichever worker of the queue is free, and counts the run in Pool::stats()['retried'].
 */

namespace AsyncTask\Laravel\Worker;

final class ReleaseInPool extends \RuntimeException
{
}
