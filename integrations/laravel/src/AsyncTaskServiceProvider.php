<?php

declare(strict_types=1);

/*
 * Registers the queue driver "asynctask" with Laravel's queue manager (package auto-discovery
 * loads this provider): a connection of config/queue.php with 'driver' => 'asynctask' dispatches
 * its jobs to the asynctask pool (AsyncTaskQueue), where the workers run them (Worker\JobRunner).
 */

namespace AsyncTask\Laravel;

use AsyncTask\Laravel\Worker\JobRunner;
use Illuminate\Queue\QueueManager;
use Illuminate\Support\ServiceProvider;

final class AsyncTaskServiceProvider extends ServiceProvider
{
    public function register(): void
    {
        $this->app->afterResolving('queue', static function (QueueManager $manager): void {
            $manager->addConnector('asynctask', static fn () => new AsyncTaskConnector());
        });
        // used in the pool's workers only (RunJob): one per application, so that its failer listener is registered once
        $this->app->singleton(JobRunner::class, static fn ($app) => new JobRunner($app));
    }
}
