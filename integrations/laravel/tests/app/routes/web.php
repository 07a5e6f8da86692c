<?php

// The test application's routes: the skeleton's welcome page, and a route that dispatches a job.

use App\Jobs\PingJob;
use Illuminate\Support\Facades\Route;

Route::get('/', function () {
    return view('welcome');
});

Route::get('/dispatch/{id}', function (string $id) {
    PingJob::dispatch($id);

    return response()->json(['dispatched' => $id, 'pid' => getmypid()]);
});
