<?php

declare(strict_types=1);

/*
 * The Messenger transport. send() encodes the envelope with the transport's serializer and
 * dispatches it to the asynctask pool as a HandleEnvelope task (a DelayStamp becomes
 * Task::delay()); a pool worker, with the application's kernel booted once, handles it
 * (EnvelopeRunner). Inside a pool worker a task cannot dispatch another, so a send() made while
 * a worker handles a message (Messenger's retry, or a handler that dispatches a message routed
 * here) is handed to that worker's EnvelopeRunner, which handles it after the current message,
 * once its delay has passed.
 *
 * There is nothing to consume: get() returns no envelope, so `messenger:consume` of this
 * transport idles until its limits (--time-limit, --limit, a stop signal) end it. ack() and
 * reject() have nothing to remove.
 */

namespace AsyncTask\Symfony\Messenger\Transport;

use AsyncTask\Symfony\Messenger\Worker\EnvelopeRunner;
use AsyncTask\Symfony\Messenger\Worker\HandleEnvelope;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\TransportException;
use Symfony\Component\Messenger\Stamp\DelayStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

final class AsyncTaskTransport implements TransportInterface
{
    public function __construct(
        private readonly string $transportName,
        private readonly string $queue,
        private readonly SerializerInterface $serializer,
        private readonly ?float $timeout = null,
    ) {
    }

    public function send(Envelope $envelope): Envelope
    {
        $encoded = $this->serializer->encode($envelope);
        $delay = max(0, $envelope->last(DelayStamp::class)?->getDelay() ?? 0) / 1000;

        if (null !== \AsyncTask\context()) {
            $runner = EnvelopeRunner::current();
            if (null === $runner) {
                throw new TransportException(sprintf('A message cannot be sent to the asynctask transport "%s" from inside a pool task that is not handling a Messenger message: a task cannot dispatch tasks.', $this->transportName));
            }
            $runner->defer($this->transportName, $encoded, $delay);

            return $envelope;
        }

        $task = (new HandleEnvelope($this->transportName, $encoded))->onQueue($this->queue);
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
}
