<?php

// The test application's commands: the skeleton's "inspire", and one that dispatches a job.

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
