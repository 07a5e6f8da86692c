<?php

// The test application's commands: the skeleton's "inspire", one that dispatches a job, one that
// dispatches a chain, one that prints a queue's size(), and the
// no-op job latency benchmark (bench/noop-latency.php).

use App\Jobs\PingJob;
use Illuminate\Foundation\Inspiring;
use Illuminate\Support\Facades\Artisan;

Artisan::command('inspire', function () {
    $this->comment(Inspiring::quote());
})->purpose('Display an inspiring quote');

Artisan::command('app:dispatch-ping {id}', function (string $id) {
    PingJob::dispatch($id);
    $this->info("dispatched $id");
})->purpose('Dispatch a PingJob (asynctask/laravel tests)');

Artisan::command('app:dispatch-chain {id}', function (string $id) {
    Illuminate\Support\Facades\Bus::chain([new PingJob("$id-a"), new PingJob("$id-b"), new PingJob("$id-c")])->dispatch();
    $this->info("dispatched the chain $id");
})->purpose('Dispatch a chain of 3 PingJobs and exit (asynctask/laravel tests)');

Artisan::command('app:queue-size {queue=default}', function (string $queue) {
    $this->line((string) Illuminate\Support\Facades\Queue::connection('asynctask')->size($queue));
})->purpose('Print the asynctask connection\'s size() of a queue (asynctask/laravel tests)');

Artisan::command('app:bench-noop {jobs=200}', function (string $jobs) {
    $benchJobs = (int) $jobs;
    require base_path('bench/noop-latency.php');
})->purpose('A no-op job\'s dispatch-to-done latency on asynctask, sync and database (asynctask/laravel tests)');
