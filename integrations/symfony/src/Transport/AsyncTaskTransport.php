<?php

declare(strict_types=1);

/*
 * The Messenger transport. send() encodes the envelope with the transport's serializer and
 * dispatches it to the asynctask pool as a HandleEnvelope task (a DelayStamp becomes
 * Task::delay(), and the retries the transport's retry strategy allows become the task's own,
 * Task::withRetries() with the strategy's delays); a pool worker, with the application's kernel
 * booted once, handles it (EnvelopeRunner). Inside a pool worker a task cannot dispatch another,
 * so a send() made while a worker handles a message (Messenger's retry, or a handler that
 * dispatches a message routed here) is handed to that worker's EnvelopeRunner: it leaves the
 * retry of its task's own message to the pool, and handles anything else after the current
 * message, once its delay has passed.
 *
 * There is nothing to consume: get() returns no envelope, so `messenger:consume` of this
 * transport idles until its limits (--time-limit, --limit, a stop signal) end it. ack() and
 * reject() have nothing to remove. getMessageCount() (`messenger:stats`) counts the messages
 * waiting in the transport's queue, from Pool::stats().
 */

namespace AsyncTask\Symfony\Messenger\Transport;

use AsyncTask\Symfony\Messenger\Worker\EnvelopeRunner;
use AsyncTask\Symfony\Messenger\Worker\HandleEnvelope;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\TransportException;
use Symfony\Component\Messenger\Retry\RetryStrategyInterface;
use Symfony\Component\Messenger\Stamp\DelayStamp;
use Symfony\Component\Messenger\Stamp\RedeliveryStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Transport\Receiver\MessageCountAwareInterface;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

final class AsyncTaskTransport implements TransportInterface, MessageCountAwareInterface
{
    /** Messenger's retries of a message run as the pool's (Task::withRetries()) when they can */
    public const RETRIES_POOL = 'pool';
    /** ... or always in the worker that handled the failed run, which waits for the delay */
    public const RETRIES_WORKER = 'worker';

    /** the pool's retries are at most this many (Task::withRetries()) */
    private const MAX_POOL_RETRIES = 1000;

    public function __construct(
        private readonly string $transportName,
        private readonly string $queue,
        private readonly SerializerInterface $serializer,
        private readonly ?float $timeout = null,
        private readonly ?RetryStrategyInterface $retryStrategy = null,
        private readonly string $retries = self::RETRIES_POOL,
    ) {
    }

    public function send(Envelope $envelope): Envelope
    {
        if (!\extension_loaded('asynctask')) {
            throw new TransportException(sprintf('The asynctask transport "%s" needs the asynctask extension, which this PHP (%s) does not load.', $this->transportName, \PHP_SAPI));
        }
        $encoded = $this->serializer->encode($envelope);
        $delay = max(0, $envelope->last(DelayStamp::class)?->getDelay() ?? 0) / 1000;

        if (null !== \AsyncTask\context()) {
            $runner = EnvelopeRunner::current();
            if (null === $runner) {
                throw new TransportException(sprintf('A message cannot be sent to the asynctask transport "%s" from inside a pool task that is not handling a Messenger message: a task cannot dispatch tasks.', $this->transportName));
            }
            $runner->defer($this->transportName, $envelope, $encoded, $delay);

            return $envelope;
        }

        $plan = $this->poolRetryPlan($envelope);
        $task = (new HandleEnvelope($this->transportName, $encoded, \count($plan)))->onQueue($this->queue);
        if ($plan) {
            $task->withRetries(\count($plan), $plan);
        }
        if ($delay > 0) {
            $task->delay($delay);
        }
        if (null !== $this->timeout) {
            $task->withTimeout($this->timeout);
        }
        try {
            $future = $task->dispatch();
        } catch (\AsyncTask\Exception $e) {
            throw new TransportException(sprintf('The asynctask transport "%s" could not dispatch the message: %s', $this->transportName, $e->getMessage()), 0, $e);
        }

        return $envelope->with(new TransportMessageIdStamp($future->id()));
    }

    /**
     * The delays (s) of the retries the transport's retry strategy allows the envelope, for
     * Task::withRetries(), on either backend (the shared-memory pool, or the nodes of a Redis
     * backend); none when retries stay in the worker: the `retries` option is "worker", or there
     * is no strategy. A strategy is asked as Messenger's listener asks it,
     * with the envelope's next RedeliveryStamp, but before anything failed (a probe exception):
     * a strategy whose answer depends on the exception is better served with "worker".
     *
     * @return list<float>
     */
    private function poolRetryPlan(Envelope $envelope): array
    {
        if (self::RETRIES_POOL !== $this->retries || null === $this->retryStrategy) {
            return [];
        }
        $probe = new \RuntimeException('asynctask/symfony-messenger: planning the retries');
        $done = RedeliveryStamp::getRetryCountFromEnvelope($envelope);
        $plan = [];
        while (\count($plan) < self::MAX_POOL_RETRIES) {
            $next = $envelope->with(new RedeliveryStamp($done + \count($plan)));
            if (!$this->retryStrategy->isRetryable($next, $probe)) {
                break;
            }
            $plan[] = max(0, $this->retryStrategy->getWaitingTime($next, $probe)) / 1000;
        }

        return $plan;
    }

    /**
     * Nothing to consume: the pool's workers handle the messages.
     *
     * @return iterable<Envelope>
     */
    public function get(): iterable
    {
        return [];
    }

    public function ack(Envelope $envelope): void
    {
    }

    public function reject(Envelope $envelope): void
    {
    }

    /** The envelope a worker received, decoded with this transport's serializer. */
    public function decode(array $encoded): Envelope
    {
        return $this->serializer->decode($encoded);
    }

    public function getQueue(): string
    {
        return $this->queue;
    }

    /**
     * The messages in the transport's queue (`messenger:stats`): over Redis, its entries there,
     * taken by a node and not handled yet included, and its delayed ones (a dispatching process
     * sees the queues its asynctask.queues names); on this machine's pool, the tasks waiting in
     * its queue, as this process's pool has them (0 in a process without one).
     */
    public function getMessageCount(): int
    {
        if (!\extension_loaded('asynctask')) {
            throw new TransportException(sprintf('The asynctask transport "%s" needs the asynctask extension, which this PHP (%s) does not load.', $this->transportName, \PHP_SAPI));
        }
        $stats = \AsyncTask\Pool::stats();
        if (isset($stats['backend_error'])) {
            throw new TransportException(sprintf('The asynctask transport "%s" cannot count its messages: %s', $this->transportName, $stats['backend_error']));
        }
        $figures = $stats['queues'][$this->queue] ?? [];

        return isset($figures['stream_length'])
            ? (int) $figures['stream_length'] + (int) ($figures['delayed'] ?? 0)
            : (int) ($figures['queued'] ?? 0);
    }
}
