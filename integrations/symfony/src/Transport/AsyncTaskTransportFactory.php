<?php

declare(strict_types=1);

/*
 * Makes an AsyncTaskTransport from a DSN `asynctask://QUEUE[?timeout=SECONDS&retries=pool|worker]`:
 * QUEUE is the pool's named queue the messages go to (asynctask.queues; `default` when empty),
 * timeout the time limit of each message's task in seconds (Task::withTimeout();
 * asynctask.task_timeout when not given), retries where Messenger's retries of a message run:
 * `pool` (the default: the pool runs the task again after the retry strategy's delay, on any free
 * worker) or `worker` (the worker that handled the failed run waits for the delay and handles it
 * again). The same can be given as the transport's options `queue`, `timeout` and `retries`; an
 * option overrides the DSN. The transport's retry strategy comes from Messenger's locator of
 * them, by the transport's name.
 */

namespace AsyncTask\Symfony\Messenger\Transport;

use Psr\Container\ContainerInterface;
use Symfony\Component\Messenger\Exception\InvalidArgumentException;
use Symfony\Component\Messenger\Retry\RetryStrategyInterface;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\TransportFactoryInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

/**
 * @implements TransportFactoryInterface<AsyncTaskTransport>
 */
final class AsyncTaskTransportFactory implements TransportFactoryInterface
{
    private const SCHEME = 'asynctask://';
    private const KNOWN_OPTIONS = ['transport_name', 'queue', 'timeout', 'retries'];

    /**
     * @param ContainerInterface|null $retryStrategies Messenger's retry strategies by transport name
     */
    public function __construct(private readonly ?ContainerInterface $retryStrategies = null)
    {
    }

    public function createTransport(#[\SensitiveParameter] string $dsn, array $options, SerializerInterface $serializer): TransportInterface
    {
        if (!$this->supports($dsn, $options)) {
            throw new InvalidArgumentException(sprintf('The DSN "%s" is not an asynctask:// DSN.', $dsn));
        }
        $unknown = array_diff(array_keys($options), self::KNOWN_OPTIONS);
        if ($unknown) {
            throw new InvalidArgumentException(sprintf('Unknown option(s) "%s" for the asynctask transport; known: "%s".', implode('", "', $unknown), implode('", "', self::KNOWN_OPTIONS)));
        }
        $transportName = $options['transport_name'] ?? null;
        if (!\is_string($transportName) || '' === $transportName) {
            throw new InvalidArgumentException('The asynctask transport needs the option "transport_name" (FrameworkBundle sets it to the transport\'s name): a pool worker finds the transport by it.');
        }

        $rest = substr($dsn, \strlen(self::SCHEME));
        $queue = rawurldecode((string) strtok($rest, '?'));
        parse_str((string) parse_url('http://x/?'.(explode('?', $rest, 2)[1] ?? ''), \PHP_URL_QUERY), $query);
        $unknownQuery = array_diff(array_keys($query), ['timeout', 'retries']);
        if ($unknownQuery) {
            throw new InvalidArgumentException(sprintf('Unknown DSN parameter(s) "%s" for the asynctask transport; known: "timeout", "retries".', implode('", "', $unknownQuery)));
        }

        $queue = (string) ($options['queue'] ?? ('' === $queue ? 'default' : $queue));
        if (!preg_match('/^[A-Za-z0-9_.-]{1,64}$/', $queue)) {
            throw new InvalidArgumentException(sprintf('The asynctask queue name "%s" is invalid: 1-64 of [A-Za-z0-9_.-].', $queue));
        }

        $timeout = $options['timeout'] ?? $query['timeout'] ?? null;
        if (null !== $timeout) {
            if (!is_numeric($timeout) || (float) $timeout < 0) {
                throw new InvalidArgumentException(sprintf('The asynctask transport\'s timeout must be a number of seconds >= 0, "%s" given.', (string) $timeout));
            }
            $timeout = (float) $timeout;
        }

        $retries = $options['retries'] ?? $query['retries'] ?? AsyncTaskTransport::RETRIES_POOL;
        if (!\in_array($retries, [AsyncTaskTransport::RETRIES_POOL, AsyncTaskTransport::RETRIES_WORKER], true)) {
            throw new InvalidArgumentException(sprintf('The asynctask transport\'s retries must be "pool" or "worker", "%s" given.', \is_scalar($retries) ? (string) $retries : get_debug_type($retries)));
        }

        $retryStrategy = null;
        if (null !== $this->retryStrategies && $this->retryStrategies->has($transportName)) {
            $retryStrategy = $this->retryStrategies->get($transportName);
            \assert($retryStrategy instanceof RetryStrategyInterface);
        }

        return new AsyncTaskTransport($transportName, $queue, $serializer, $timeout, $retryStrategy, $retries);
    }

    public function supports(#[\SensitiveParameter] string $dsn, array $options): bool
    {
        return str_starts_with($dsn, self::SCHEME);
    }
}
