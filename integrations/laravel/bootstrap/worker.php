<?php

declare(strict_types=1);

/*
 * The asynctask.bootstrap of a Laravel application: each pool worker includes it once when it
 * starts, and boots the application (bootstrap/app.php, with the console kernel's bootstrappers,
 * as `php artisan queue:work` does) once for all the jobs it runs. Point asynctask.bootstrap at
 * this file in the application's vendor directory:
 *   asynctask.bootstrap = /srv/app/vendor/asynctask/laravel/bootstrap/worker.php
 * It finds the application four levels up (vendor/asynctask/laravel/bootstrap); the environment
 * variable ASYNCTASK_LARAVEL_BASE_PATH names another base path.
 */

$base = getenv('ASYNCTASK_LARAVEL_BASE_PATH') ?: dirname(__DIR__, 4);
if (!is_file($base.'/vendor/autoload.php') || !is_file($base.'/bootstrap/app.php')) {
    error_log(sprintf('asynctask/laravel: no Laravel application at %s (vendor/autoload.php and bootstrap/app.php): set ASYNCTASK_LARAVEL_BASE_PATH to its base path; jobs fail until then.', $base));

    return;
}
require_once $base.'/vendor/autoload.php';

AsyncTask\Laravel\Worker\WorkerApplication::boot(static fn () => require $base.'/bootstrap/app.php');
