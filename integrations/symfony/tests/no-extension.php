<?php

declare(strict_types=1);

/*
 * Run by run.php in a php that does not load the extension: dispatching a message routed to the
 * asynctask transport throws Messenger's TransportException saying so. Prints its class and message.
 */

require getenv('SF_TEST_AUTOLOAD');

$kernel = new App\Kernel('test', false);
$kernel->boot();
try {
    $kernel->getContainer()->get('test.bus')->dispatch(new App\Ping('no-extension'));
    echo "sent\n";
} catch (Throwable $e) {
    echo $e::class, ': ', $e->getMessage(), "\n";
}
