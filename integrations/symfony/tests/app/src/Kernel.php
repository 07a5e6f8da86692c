<?php

declare(strict_types=1);

/*
 * The test application: FrameworkBundle with Messenger, the asynctask bundle, the transports
 * `async` (asynctask://default, retry strategy: 2 retries, 200 ms then 400 ms, no jitter),
 * `async_worker` (the same with retries=worker), `mail` (the pool's queue "mail"), `slow` (a
 * 0.5 s time limit per message, 1 retry after 100 ms) and a failure transport `failed` that keeps envelopes as files (FileTransport). Its var/ and the
 * journal the handlers write live in $SF_TEST_DIR.
 */

namespace App;

use AsyncTask\Symfony\Messenger\AsyncTaskMessengerBundle;
use Symfony\Bundle\FrameworkBundle\FrameworkBundle;
use Symfony\Bundle\FrameworkBundle\Kernel\MicroKernelTrait;
use Symfony\Component\DependencyInjection\Loader\Configurator\ContainerConfigurator;
use Symfony\Component\HttpKernel\Kernel as BaseKernel;
use Symfony\Component\Messenger\Retry\MultiplierRetryStrategy;
use Symfony\Component\Routing\Loader\Configurator\RoutingConfigurator;

final class Kernel extends BaseKernel
{
    use MicroKernelTrait;

    public function registerBundles(): iterable
    {
        return [new FrameworkBundle(), new AsyncTaskMessengerBundle()];
    }

    public function getProjectDir(): string
    {
        return \dirname(__DIR__);
    }

    public function getCacheDir(): string
    {
        return Journal::dir().'/var/cache/'.$this->environment;
    }

    public function getLogDir(): string
    {
        return Journal::dir().'/var/log';
    }

    protected function configureContainer(ContainerConfigurator $container): void
    {
        $retry = ['max_retries' => 2, 'delay' => 200, 'multiplier' => 2, 'max_delay' => 0];
        if ((new \ReflectionMethod(MultiplierRetryStrategy::class, '__construct'))->getNumberOfParameters() >= 5) {
            $retry['jitter'] = 0.0;  // Symfony >= 7.1 adds 10% jitter by default
        }
        $container->extension('framework', [
            'secret' => 'asynctask-test',
            'messenger' => [
                'failure_transport' => 'failed',
                'transports' => [
                    'async' => [
                        'dsn' => 'asynctask://default',
                        'retry_strategy' => $retry,
                    ],
                    'async_worker' => ['dsn' => 'asynctask://default?retries=worker', 'retry_strategy' => $retry],
                    'mail' => 'asynctask://mail',
                    'slow' => ['dsn' => 'asynctask://default?timeout=0.5', 'retry_strategy' => ['max_retries' => 1, 'delay' => 100]],
                    'failed' => 'testfile://'.Journal::dir().'/failed',
                ],
                'routing' => [
                    Ping::class => 'async',
                    Flaky::class => 'async',
                    AlwaysFails::class => 'async',
                    Unrecoverable::class => 'async',
                    MailPing::class => 'mail',
                    Slow::class => 'slow',
                ],
            ],
        ]);

        $services = $container->services()->defaults()->autowire();
        $services->set(FileTransportFactory::class)->tag('messenger.transport_factory');
        $services->set(PingHandler::class)->tag('messenger.message_handler');
        $services->set(FlakyHandler::class)->tag('messenger.message_handler');
        $services->set(AlwaysFailsHandler::class)->tag('messenger.message_handler');
        $services->set(UnrecoverableHandler::class)->tag('messenger.message_handler');
        $services->set(MailPingHandler::class)->tag('messenger.message_handler');
        $services->set(SlowHandler::class)->tag('messenger.message_handler');
        $services->alias('test.bus', 'messenger.default_bus')->public();
        $services->alias('test.transport.async', 'messenger.transport.async')->public();
    }

    protected function configureRoutes(RoutingConfigurator $routes): void
    {
    }
}
