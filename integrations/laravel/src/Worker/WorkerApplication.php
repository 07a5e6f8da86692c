<?php

declare(strict_types=1);

/*
 * The Laravel application of a pool worker, booted once per worker. The worker bootstrap this
 * package ships (bootstrap/worker.php, named by asynctask.bootstrap; each worker includes it once
 * when it starts) calls WorkerApplication::boot() with a function that returns the application
 * (bootstrap/app.php); it is bootstrapped as `php artisan queue:work` bootstraps it (the console
 * kernel), and every job the worker runs uses it. A boot that failed is tried again at the
 * worker's next job.
 */

namespace AsyncTask\Laravel\Worker;

use Illuminate\Contracts\Console\Kernel as ConsoleKernel;
use Illuminate\Contracts\Foundation\Application;

final class WorkerApplication
{
    private static ?\Closure $factory = null;
    private static ?Application $app = null;
    private static int $boots = 0;
    private static int $bootPid = 0;

    /**
     * Registers how to make the application and boots it now.
     *
     * @param callable(): Application $factory
     */
    public static function boot(callable $factory): Application
    {
        self::$factory = $factory(...);
        self::$app = null;

        return self::app();
    }

    /** The booted application of this worker. */
    public static function app(): Application
    {
        if (null !== self::$app && self::$bootPid === getmypid()) {
            return self::$app;
        }
        if (null === self::$factory) {
            throw new \LogicException('No Laravel application in this asynctask worker: set asynctask.bootstrap (php.ini) to vendor/asynctask/laravel/bootstrap/worker.php of the application (or a file that calls AsyncTask\Laravel\Worker\WorkerApplication::boot()), see the README of asynctask/laravel.');
        }
        $app = (self::$factory)();
        if (!$app instanceof Application) {
            throw new \LogicException(sprintf('The function given to WorkerApplication::boot() must return a %s, it returned %s.', Application::class, get_debug_type($app)));
        }
        $app->make(ConsoleKernel::class)->bootstrap();
        self::$app = $app;
        self::$bootPid = getmypid();
        ++self::$boots;

        return $app;
    }

    /** How many applications this process booted through WorkerApplication (1 in a sound worker). */
    public static function boots(): int
    {
        return self::$boots;
    }
}
