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
 * handles a message (a retry, or a message a handler dispatches) comes to defer(): the retry of
 * the task's own message, when the task has pool retries left (Task::withRetries(), planned by
 * the transport from the retry strategy), is left to the pool (RetryInPool), which runs the task
 * again after its backoff on any free worker; anything else is handled by the same worker after
 * the current message, when its delay has passed: the worker waits for it (see the README).
 */

namespace AsyncTask\Symfony\Messenger\Worker;

use AsyncTask\Symfony\Messenger\Transport\AsyncTaskTransport;
use Psr\Container\ContainerInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\EventDispatcher\EventDispatcherInterface;
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
use Symfony\Component\Messenger\Stamp\RedeliveryStamp;
use Symfony\Component\Messenger\Stamp\StampInterface;
use Symfony\Contracts\Service\ResetInterface;

final class EnvelopeRunner
{
    public const SERVICE_ID = 'asynctask.messenger.envelope_runner';

    private static ?self $current = null;

    /** @var list<array{string, array, float, list<StampInterface>}> transport name, encoded envelope, when due (hrtime, s), stamps to add */
    private array $pending = [];

    /** @var array{string, object}|null while the task's own message's failure is dispatched: its transport and message */
    private ?array $failing = null;

    /** the pool runs the task's own message again (RetryInPool) */
    private bool $retryInPool = false;

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
     * $poolRetries is how many runs after the first the task was dispatched with (the transport's
     * retry strategy as Task::withRetries()): while this run is not the last, Messenger's retry of
     * the task's own message makes the task throw RetryInPool, so that the pool runs it again
     * after its backoff; run n > 1 handles the message with RedeliveryStamps 1 to n - 1.
     * Any other retry, and every message sent here meanwhile, is handled by this worker once due.
     *
     * @return int how many envelopes were handled
     *
     * @throws RetryInPool
     */
    public function run(string $transportName, array $encoded, int $poolRetries = 0): int
    {
        if (null !== self::$current) {
            throw new LogicException('EnvelopeRunner::run() inside another run.');
        }
        $attempt = \AsyncTask\context()?->attempt() ?? 1;
        self::$current = $this;
        $this->pending = [[$transportName, $encoded, 0.0, self::redeliveries($attempt - 1)]];
        $this->retryInPool = false;
        $poolRetriesLeft = max(0, $poolRetries - ($attempt - 1));
        $handled = 0;
        try {
            while (null !== ($next = $this->takeNextDue())) {
                [$name, $envelopeData, , $stamps] = $next;
                try {
                    $this->handle($name, $this->transport($name)->decode($envelopeData)->with(...$stamps), 0 === $handled && $poolRetriesLeft > 0);
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
            if ($this->retryInPool) {
                throw new RetryInPool(sprintf('Messenger retries the message of the transport "%s": the pool runs it again after its backoff (run %d of at most %d).', $transportName, $attempt + 1, $poolRetries + 1));
            }
        } finally {
            self::$current = null;
            $this->pending = [];
            $this->failing = null;
        }

        return $handled;
    }

    /**
     * The RedeliveryStamps Messenger's retries would have added to a message retried $retries
     * times: 1 to $retries, at most the first and the last 9 (Messenger keeps a history of 10).
     *
     * @return list<RedeliveryStamp>
     */
    private static function redeliveries(int $retries): array
    {
        if ($retries < 1) {
            return [];
        }
        $counts = $retries <= 10 ? range(1, $retries) : [1, ...range($retries - 8, $retries)];

        return array_map(static fn (int $n) => new RedeliveryStamp($n), $counts);
    }

    /**
     * Takes an envelope sent to an asynctask transport during run(): the retry of the task's own
     * message, when the pool is to retry it, makes the task throw RetryInPool at the end of the
     * run; any other is handled by this worker once due.
     */
    public function defer(string $transportName, Envelope $envelope, array $encoded, float $delaySeconds): void
    {
        if (null !== $this->failing && $this->failing[0] === $transportName && $this->failing[1] === $envelope->getMessage()) {
            $this->retryInPool = true;

            return;
        }
        $this->pending[] = [$transportName, $encoded, hrtime(true) / 1e9 + max(0.0, $delaySeconds), []];
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

    /** @param bool $poolRetries whether a retry of this message goes back to the pool */
    private function handle(string $transportName, Envelope $envelope, bool $poolRetries): void
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
            $this->failing = $poolRetries ? [$transportName, $envelope->getMessage()] : null;
            try {
                $this->eventDispatcher->dispatch(new WorkerMessageFailedEvent($envelope, $transportName, $e));
            } finally {
                $this->failing = null;
            }

            return;
        }

        $this->eventDispatcher->dispatch(new WorkerMessageHandledEvent($envelope, $transportName));
        $this->logger?->info('{class} was handled successfully in the asynctask pool.', ['class' => $envelope->getMessage()::class]);
    }
}
