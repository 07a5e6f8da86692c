<?php

declare(strict_types=1);

/*
 * The pool task a job travels as: the connection's name, the queue, Laravel's JSON payload, how
 * many retries the pool was asked for, and whether links of a chain (Task::then()) follow it. In the worker, handle() runs the job with the
 * JobRunner of the application the worker booted once (WorkerApplication). The job's failures are
 * Laravel's to handle (failed(), failed_jobs); what fails around it (no application in the
 * worker) fails the task and is written to the pool's log.
 */

namespace AsyncTask\Laravel\Worker;

use AsyncTask\Task;

final class RunJob extends Task
{
    public function __construct(
        private readonly string $connectionName,
        private readonly string $queue,
        private readonly string $payload,
        private readonly int $poolRetries = 0,
        private readonly bool $chainNext = false,
    ) {
    }

    /**
     * @param mixed $previous as a link of a chain (Task::then()): the previous link's value, unused
     *
     * @return int how many jobs this task ran (with the jobs dispatched meanwhile)
     *
     * @throws ReleaseInPool when the job was released and the pool is to run the task again
     * @throws ChainStopped  when the job, a link of a chain with links after it, did not succeed
     */
    public function handle(mixed $previous = null): int
    {
        try {
            $runner = WorkerApplication::app()->make(JobRunner::class);
            \assert($runner instanceof JobRunner);

            return $runner->run($this->connectionName, $this->queue, $this->payload, $this->poolRetries, $this->chainNext);
        } catch (ReleaseInPool|ChainStopped $e) {
            throw $e;
        } catch (\Throwable $e) {
            // nobody waits on a job's Future: say it in the pool's log (asynctask.log)
            error_log(sprintf('asynctask/laravel: a job of the connection "%s" could not be run, it is dropped: %s: %s',
                $this->connectionName, $e::class, $e->getMessage()));
            throw $e;
        }
    }
}
