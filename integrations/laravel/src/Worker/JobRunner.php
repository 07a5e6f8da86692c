<?php

declare(strict_types=1);

/*
 * Runs jobs inside a pool worker the way `php artisan queue:work` runs them: it is Laravel's own
 * Worker (process(): JobProcessing, the max-attempts checks, the job, JobProcessed, or on an
 * exception JobExceptionOccurred, failed() and JobFailed when its attempts are spent, a release
 * with the job's backoff otherwise), with queue:work's reset of the application's scope before
 * each job and its SIGALRM timeout. A failed job is logged to the failer (failed_jobs), as
 * queue:work's command does.
 *
 * What differs is what runs a job again. A released job of a pool task with retries left makes
 * the task throw ReleaseInPool: the pool runs it again after the backoff planned at push
 * (AsyncTaskQueue::retryPlan()); one without retries left fails (MaxAttemptsExceededException,
 * which queue:work would raise at its next attempt). A task cannot dispatch tasks, so the jobs
 * pushed while a job runs here (the next job of a chain, a job a job dispatches) come to defer()
 * and run in this worker after the current job, each once its delay has passed; a release of one
 * of those runs it again here after the release's delay.
 */

namespace AsyncTask\Laravel\Worker;

use AsyncTask\Laravel\AsyncTaskQueue;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Contracts\Foundation\Application;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\Worker;
use Illuminate\Queue\WorkerOptions;
use Throwable;

class JobRunner extends Worker
{
    private static ?self $current = null;

    /** @var list<array{connection: string, queue: string, payload: string, due: float, attempts: int}> */
    private array $pending = [];

    public function __construct(private readonly Application $app)
    {
        $laravelWorker = $app->make('queue.worker');
        // queue:work's reset between jobs, as the framework's QueueServiceProvider defines it
        $resetScope = $laravelWorker instanceof Worker ? (fn () => $this->resetScope)->call($laravelWorker) : null;
        parent::__construct($app['queue'], $app['events'], $app[ExceptionHandler::class],
            static fn () => $app->isDownForMaintenance(), $resetScope);

        // what queue:work's command does with a failed job: log it to the failer (failed_jobs)
        $app['events']->listen(JobFailed::class, static function (JobFailed $event) use ($app): void {
            if ($event->job instanceof PoolJob) {
                $app['queue.failer']->log($event->connectionName, $event->job->getQueue(), $event->job->getRawBody(), $event->exception);
            }
        });
    }

    /** The runner running a job in this process, if any. */
    public static function current(): ?self
    {
        return self::$current;
    }

    /**
     * Runs the pool task's job, then every job pushed meanwhile, each once due.
     *
     * @param int  $poolRetries the runs after the first the task was dispatched with
     * @param bool $chainNext   the task is a link of a chain (Task::then()) with links after it
     *
     * @return int how many jobs were run
     *
     * @throws ReleaseInPool when the task's job was released and the pool is to run it again
     * @throws ChainStopped  when the task has links after it and its job did not succeed
     */
    public function run(string $connectionName, string $queue, string $payload, int $poolRetries = 0, bool $chainNext = false): int
    {
        if (null !== self::$current) {
            throw new \LogicException('JobRunner::run() inside another run.');
        }
        self::$current = $this;
        $this->pending = [];
        try {
            $context = \AsyncTask\context();
            $attempt = $context?->attempt() ?? 1;
            $job = new PoolJob($this->app, $payload, $connectionName, $queue, $attempt, (string) $context?->id());
            $succeeded = $this->runOne($job) && !$job->hasFailed() && !$job->isReleased();
            $releaseInPool = false;
            if ($job->isReleased() && !$job->isDeleted() && !$job->hasFailed()) {
                if ($attempt <= $poolRetries) {
                    $releaseInPool = true;
                } else {
                    // no run left: what queue:work does at the attempt after the last
                    $this->failJob($job, $this->maxAttemptsExceededException($job));
                }
            }

            $ran = 1;
            while (null !== ($next = $this->takeNextDue())) {
                $deferred = new PoolJob($this->app, $next['payload'], $next['connection'], $next['queue'], $next['attempts'],
                    (string) (json_decode($next['payload'], true)['uuid'] ?? ''));
                $this->runOne($deferred);
                ++$ran;
                if ($deferred->isReleased() && !$deferred->isDeleted() && !$deferred->hasFailed()) {
                    // run it again here after the release's delay; process() fails it past its tries
                    $this->pending[] = ['due' => hrtime(true) / 1e9 + $deferred->releaseDelay(), 'attempts' => $next['attempts'] + 1] + $next;
                }
            }
            if ($releaseInPool) {
                throw new ReleaseInPool(sprintf('asynctask/laravel: the job %s (attempt %d) was released: the pool runs it again.', $job->resolveName(), $attempt));
            }
            if ($chainNext && !$succeeded) {
                // what CallQueuedHandler does: the next job of a chain is dispatched only after a success
                throw new ChainStopped(sprintf('asynctask/laravel: the job %s did not succeed (attempt %d): the rest of its chain does not run.', $job->resolveName(), $attempt));
            }

            return $ran;
        } finally {
            self::$current = null;
            $this->pending = [];
        }
    }

    /** Takes a job pushed while a job runs here: it runs in this worker after the current job, once due. */
    public function defer(string $connectionName, string $queue, string $payload, float $delaySeconds): void
    {
        $this->pending[] = ['connection' => $connectionName, 'queue' => $queue, 'payload' => $payload,
            'due' => hrtime(true) / 1e9 + max(0.0, $delaySeconds), 'attempts' => 1];
    }

    /** Where queue:work kills its process on a timeout, a pool worker ends the job (see JobTimedOut). */
    public function kill($status = 0, $options = null, $reason = null): never
    {
        throw new JobTimedOut('asynctask/laravel: the job ran past its timeout.');
    }

    /**
     * One job, as queue:work's daemon runs one: reset, timeout alarm, process(), failures reported.
     *
     * @return bool whether process() ended without an exception
     */
    private function runOne(PoolJob $job): bool
    {
        if (null !== $this->resetScope) {
            ($this->resetScope)();
        }
        $options = $this->options($job->getConnectionName());
        $alarm = $this->supportsAsyncSignals();
        try {
            if ($alarm) {
                pcntl_async_signals(true);
                $this->registerTimeoutHandler($job, $options);
            }
            try {
                $this->process($job->getConnectionName(), $job, $options);
            } finally {
                if ($alarm) {
                    $this->resetTimeoutHandler();
                }
            }
        } catch (Throwable $e) {
            $this->exceptions->report($e);

            return false;
        }

        return true;
    }

    /** queue:work's options from the connection's settings (config/queue.php): tries, backoff, timeout. */
    private function options(string $connectionName): WorkerOptions
    {
        $queue = $this->manager->connection($connectionName);
        $defaults = $queue instanceof AsyncTaskQueue ? $queue->defaults() : ['tries' => 1, 'backoff' => '0', 'timeout' => 60];

        return new WorkerOptions(name: 'asynctask', backoff: $defaults['backoff'], timeout: $defaults['timeout'], maxTries: $defaults['tries']);
    }

    /** The earliest due pending job, after waiting until it is due; null when none is left. */
    private function takeNextDue(): ?array
    {
        if (!$this->pending) {
            return null;
        }
        $first = 0;
        foreach ($this->pending as $i => $item) {
            if ($item['due'] < $this->pending[$first]['due']) {
                $first = $i;
            }
        }
        [$next] = array_splice($this->pending, $first, 1);
        // a signal may end usleep() early: never run it before it is due
        while (($wait = $next['due'] - hrtime(true) / 1e9) > 0) {
            usleep((int) ceil($wait * 1e6));
        }

        return $next;
    }
}
