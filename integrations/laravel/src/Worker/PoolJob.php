<?php

declare(strict_types=1);

/*
 * A job as a pool worker runs it: Laravel's Job with the payload, the attempt (the pool task's
 * run, AsyncTask\context()->attempt(), or the worker's count for a job run after another) and
 * the task's id as the job id. release() marks it released (the JobRunner decides what runs
 * it again); delete() has nothing to remove.
 */

namespace AsyncTask\Laravel\Worker;

use Illuminate\Container\Container;
use Illuminate\Contracts\Queue\Job as JobContract;
use Illuminate\Queue\Jobs\Job;

final class PoolJob extends Job implements JobContract
{
    /** the delay release() asked for, in seconds */
    private int $releaseDelay = 0;

    public function __construct(
        Container $container,
        private readonly string $payload,
        string $connectionName,
        string $queue,
        private readonly int $attempts,
        private readonly string $jobId,
    ) {
        $this->container = $container;
        $this->connectionName = $connectionName;
        $this->queue = $queue;
    }

    public function release($delay = 0): void
    {
        parent::release($delay);
        $this->releaseDelay = max(0, (int) $delay);
    }

    public function releaseDelay(): int
    {
        return $this->releaseDelay;
    }

    public function attempts(): int
    {
        return $this->attempts;
    }

    public function getJobId(): string
    {
        return $this->jobId;
    }

    public function getRawBody(): string
    {
        return $this->payload;
    }
}
