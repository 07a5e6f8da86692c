<?php

declare(strict_types=1);

/*
 * Handles envelopes inside a pool worker the way Messenger's Worker does for a consumed message:
 * WorkerMessageReceivedEvent, the bus with ReceivedStamp and ConsumedByWorkerStamp, then
 * WorkerMessageHandledEvent or WorkerMessageFailedEvent. The framework's listeners of the failed
 * event apply the transport's retry strategy (SendFailedMessageForRetryListener re-sends the
 * envelope with a DelayStamp and a RedeliveryStamp) and the failure transport
 * (SendFailedMessageToFailureTransportListener). Services are reset after each message, as
 * `messenger:consume` resets them.
 *
 * A task cannot dispatch tasks, so what is sent to an asynctask transport while this runner
 * handles a message (a retry, or a message a handler dispatches) is kept here by defer() and
 * handled by the same worker after the current message, when its delay has passed: the worker
 * waits for it (a retry's delay holds the worker, see the README).
 */

namespace AsyncTask\Symfony\Messenger\Worker;

use AsyncTask\Symfony\Messenger\Transport\AsyncTaskTransport;
use Psr\Container\ContainerInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\EventDispatcher\EventDispatcherInterface;
use Symfony\Contracts\Service\ResetInterface;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Event\WorkerMessageFailedEvent;
use Symfony\Component\Messenger\Event\WorkerMessageHandledEvent;
use Symfony\Component\Messenger\Event\WorkerMessageReceivedEvent;
use Symfony\Component\Messenger\Exception\DelayedMessageHandlingException;
use Symfony\Component\Messenger\Exception\LogicException;
use Symfony\Component\Messenger\MessageBusInterface;
use Symfony\Component\Messenger\Stamp\ConsumedByWorkerStamp;
use Symfony\Component\Messenger\Stamp\HandledStamp;
use Symfony\Component\Messenger\Stamp\ReceivedStamp;

final class EnvelopeRunner
{
    public const SERVICE_ID = 'asynctask.messenger.envelope_runner';

    private static ?self $current = null;

    /** @var list<array{string, array, float}> transport name, encoded envelope, when due (hrtime, s) */
    private array $pending = [];

    public function __construct(
        private readonly ContainerInterface $receivers,
        private readonly MessageBusInterface $bus,
        private readonly EventDispatcherInterface $eventDispatcher,
        private readonly ?LoggerInterface $logger = null,
        private readonly ?ResetInterface $servicesResetter = null,
    ) {
    }

    /** The runner handling a message in this process, if any. */
    public static function current(): ?self
    {
        return self::$current;
    }

    /**
     * Handles the envelope, then every envelope sent here meanwhile, each once due.
     *
     * @return int how many envelopes were handled
     */
    public function run(string $transportName, array $encoded): int
    {
        if (null !== self::$current) {
            throw new LogicException('EnvelopeRunner::run() inside another run.');
        }
        self::$current = $this;
        $this->pending = [[$transportName, $encoded, 0.0]];
        $handled = 0;
        try {
            while (null !== ($next = $this->takeNextDue())) {
                [$name, $envelopeData] = $next;
                try {
                    $this->handle($name, $this->transport($name)->decode($envelopeData));
                } catch (\Throwable $e) {
                    if (0 === $handled) {
                        throw $e;  // the task's own message: the task fails (HandleEnvelope logs it)
                    }
                    // one sent here meanwhile: say so, and go on with the others
                    $this->logger?->critical('A message sent to the asynctask transport "{transport}" during another could not be handled, it is dropped: {error}', ['transport' => $name, 'error' => $e->getMessage(), 'exception' => $e]);
                    error_log(sprintf('asynctask/symfony-messenger: a message of the transport "%s" could not be handled, it is dropped: %s: %s', $name, $e::class, $e->getMessage()));
                }
                ++$handled;
                $this->servicesResetter?->reset();
            }
        } finally {
            self::$current = null;
            $this->pending = [];
        }

        return $handled;
    }

    /** Keeps an envelope sent to an asynctask transport during run(), to handle it once due. */
    public function defer(string $transportName, array $encoded, float $delaySeconds): void
    {
        $this->pending[] = [$transportName, $encoded, hrtime(true) / 1e9 + max(0.0, $delaySeconds)];
    }

    /** The earliest due pending envelope, after waiting until it is due; null when none is left. */
    private function takeNextDue(): ?array
    {
        if (!$this->pending) {
            return null;
        }
        $first = 0;
        foreach ($this->pending as $i => $item) {
            if ($item[2] < $this->pending[$first][2]) {
                $first = $i;
            }
        }
        [$next] = array_splice($this->pending, $first, 1);
        // a signal may end usleep() early: never handle it before it is due
        while (($wait = $next[2] - hrtime(true) / 1e9) > 0) {
            usleep((int) ceil($wait * 1e6));
        }

        return $next;
    }

    private function transport(string $transportName): AsyncTaskTransport
    {
        if (!$this->receivers->has($transportName)) {
            throw new LogicException(sprintf('The worker\'s kernel has no Messenger transport "%s": the pool\'s workers must boot the same application (asynctask.bootstrap) as the processes that send.', $transportName));
        }
        $transport = $this->receivers->get($transportName);
        if (!$transport instanceof AsyncTaskTransport) {
            throw new LogicException(sprintf('The worker\'s Messenger transport "%s" is a %s, not an asynctask:// transport.', $transportName, get_debug_type($transport)));
        }

        return $transport;
    }

    private function handle(string $transportName, Envelope $envelope): void
    {
        $received = new WorkerMessageReceivedEvent($envelope, $transportName);
        $this->eventDispatcher->dispatch($received);
        $envelope = $received->getEnvelope();
        if (!$received->shouldHandle()) {
            return;
        }

        try {
            $envelope = $this->bus->dispatch($envelope->with(new ReceivedStamp($transportName), new ConsumedByWorkerStamp()));
        } catch (\Throwable $e) {
            // HandlerFailedException (and DelayedMessageHandlingException) carry the envelope with
            // the HandledStamps of the handlers that succeeded: a retry runs only the others
            if (method_exists($e, 'getEnvelope') && ($failed = $e->getEnvelope()) instanceof Envelope) {
                $envelope = $failed;
            }
            if ($e instanceof DelayedMessageHandlingException) {
                // a retry must run the handlers again, so that they dispatch the delayed messages again
                $envelope = $envelope->withoutAll(HandledStamp::class);
            }
            $this->eventDispatcher->dispatch(new WorkerMessageFailedEvent($envelope, $transportName, $e));

            return;
        }

        $this->eventDispatcher->dispatch(new WorkerMessageHandledEvent($envelope, $transportName));
        $this->logger?->info('{class} was handled successfully in the asynctask pool.', ['class' => $envelope->getMessage()::class]);
    }
}
