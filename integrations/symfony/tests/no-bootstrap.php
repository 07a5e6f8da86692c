<?php

declare(strict_types=1);

/*
 * Run by run.php in a php without asynctask.bootstrap: a message sent to the asynctask transport
 * fails its task (no kernel in the worker), which the pool counts failed and the pool's log
 * explains. Prints the pool's failed count.
 */

require getenv('SF_TEST_AUTOLOAD');

$kernel = new App\Kernel('test', false);
$kernel->boot();
$kernel->getContainer()->get('test.bus')->dispatch(new App\Ping('no-bootstrap'));
$end = microtime(true) + 20;
while (AsyncTask\Pool::stats()['failed'] < 1 && microtime(true) < $end) {
    usleep(20000);
}
echo AsyncTask\Pool::stats()['failed'], "\n";
