<?php

declare(strict_types=1);

/*
 * Run by ../ci on the Redis backend while no node runs: sends the messages App\Ping(ID) and
 * App\Flaky(ID-flaky, 1) (failing once, so retried by the pool: retries=pool) through the test
 * kernel's bus, prints the pool task ids send() stamped and the transport's getMessageCount(), and
 * exits (the tasks wait in Redis).
 * Usage: php [settings] dispatch.php ID
 */

use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;

require getenv('SF_TEST_AUTOLOAD');

$id = $argv[1] ?? 'dispatched';
$kernel = new App\Kernel('test', false);
$kernel->boot();
$bus = $kernel->getContainer()->get('test.bus');
foreach ([new App\Ping($id), new App\Flaky("$id-flaky", 1)] as $message) {
    echo $bus->dispatch($message)->last(TransportMessageIdStamp::class)?->getId(), "\n";
}
// what `messenger:stats` would say of the transport "async" (its queue "default")
echo 'message count: ', $kernel->getContainer()->get('test.transport.async')->getMessageCount(), "\n";
