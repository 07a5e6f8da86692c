<?php

declare(strict_types=1);

/*
 * The kernel of a pool worker, booted once per worker. The file asynctask.bootstrap names (which
 * each worker includes once when it starts) calls WorkerKernel::boot() with a function that makes
 * the application's kernel; every message the worker handles then uses that kernel. A boot that
 * failed in the bootstrap is tried again at the worker's next message.
 */

namespace AsyncTask\Symfony\Messenger\Worker;

use Symfony\Component\HttpKernel\KernelInterface;

final class WorkerKernel
{
    private static ?\Closure $factory = null;
    private static ?KernelInterface $kernel = null;
    private static int $boots = 0;
    private static int $bootPid = 0;

    /**
     * Registers how to make the kernel and boots it now.
     *
     * @param callable(): KernelInterface $factory
     */
    public static function boot(callable $factory): KernelInterface
    {
        self::$factory = $factory(...);
        self::$kernel = null;

        return self::kernel();
    }

    /** The booted kernel of this worker. */
    public static function kernel(): KernelInterface
    {
        if (null !== self::$kernel && self::$bootPid === getmypid()) {
            return self::$kernel;
        }
        if (null === self::$factory) {
            throw new \LogicException('No Symfony kernel in this asynctask worker: set asynctask.bootstrap (php.ini) to a file that calls AsyncTask\Symfony\Messenger\Worker\WorkerKernel::boot(fn () => new Kernel(...)), see the README of asynctask/symfony-messenger.');
        }
        $kernel = (self::$factory)();
        if (!$kernel instanceof KernelInterface) {
            throw new \LogicException(sprintf('The function given to WorkerKernel::boot() must return a %s, it returned %s.', KernelInterface::class, get_debug_type($kernel)));
        }
        $kernel->boot();
        self::$kernel = $kernel;
        self::$bootPid = getmypid();
        ++self::$boots;

        return $kernel;
    }

    /** How many kernels this process booted through WorkerKernel (1 in a sound worker). */
    public static function boots(): int
    {
        return self::$boots;
    }
}
