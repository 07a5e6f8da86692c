<?php

declare(strict_types=1);

/*
 * asynctask.bootstrap of the test application: each pool worker includes it once when it starts;
 * it boots the application's kernel once for all the messages the worker handles. An
 * application's own file is the same three lines with its autoloader and its Kernel.
 */

require_once getenv('SF_TEST_AUTOLOAD');

App\Journal::write(['kind' => 'boot']);
AsyncTask\Symfony\Messenger\Worker\WorkerKernel::boot(static fn () => new App\Kernel('test', false));
