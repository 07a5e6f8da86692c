<?php

declare(strict_types=1);

/*
 * The bundle: registers the asynctask:// transport factory with Messenger and the service that
 * handles an envelope inside a pool worker (EnvelopeRunner), public so that the task running in
 * the worker can take it from the worker's own booted kernel.
 */

namespace AsyncTask\Symfony\Messenger;

use AsyncTask\Symfony\Messenger\Transport\AsyncTaskTransportFactory;
use AsyncTask\Symfony\Messenger\Worker\EnvelopeRunner;
use Symfony\Component\DependencyInjection\ContainerBuilder;
use Symfony\Component\DependencyInjection\Loader\Configurator\ContainerConfigurator;
use Symfony\Component\HttpKernel\Bundle\AbstractBundle;

use function Symfony\Component\DependencyInjection\Loader\Configurator\service;

final class AsyncTaskMessengerBundle extends AbstractBundle
{
    public function loadExtension(array $config, ContainerConfigurator $container, ContainerBuilder $builder): void
    {
        $services = $container->services();

        $services->set('asynctask.messenger.transport_factory', AsyncTaskTransportFactory::class)
            ->args([service('messenger.retry_strategy_locator')->nullOnInvalid()])
            ->tag('messenger.transport_factory');

        $services->set(EnvelopeRunner::SERVICE_ID, EnvelopeRunner::class)
            ->public()
            ->args([
                service('messenger.receiver_locator'),
                service('messenger.routable_message_bus'),
                service('event_dispatcher'),
                service('logger')->nullOnInvalid(),
                service('services_resetter')->nullOnInvalid(),
            ]);
    }
}
