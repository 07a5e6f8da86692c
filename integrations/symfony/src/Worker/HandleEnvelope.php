<?php

declare(strict_types=1);

/*
 * The pool task a message travels as: the transport's name and the envelope as its serializer
 * encoded it (body and headers). In the worker, handle() takes the EnvelopeRunner from the kernel
 * the worker booted once (WorkerKernel) and handles the envelope there. A handler's failure is
 * Messenger's to handle (retry, failure transport); what fails around it (no kernel in the worker,
 * an envelope that cannot be decoded) fails the task and is written to the pool's log.
 */

namespace AsyncTask\Symfony\Messenger\Worker;

use AsyncTask\Task;

final class HandleEnvelope extends Task
{
    /**
     * @param array{body: string, headers?: array<string, mixed>} $encoded
     * @param int $poolRetries the runs after the first the task was dispatched with
     *                         (withRetries(), from the transport's retry strategy), 0 for none
     */
    public function __construct(
        private readonly string $transportName,
        private readonly array $encoded,
        private readonly int $poolRetries = 0,
    ) {
    }

    /**
     * @return int how many envelopes this task handled (with retries in the worker and messages sent meanwhile)
     *
     * @throws RetryInPool when Messenger retries the message and the pool is to run the task again
     */
    public function handle(): int
    {
        try {
            $runner = WorkerKernel::kernel()->getContainer()->get(EnvelopeRunner::SERVICE_ID);
            \assert($runner instanceof EnvelopeRunner);

            return $runner->run($this->transportName, $this->encoded, $this->poolRetries);
        } catch (RetryInPool $e) {
            throw $e;
        } catch (\Throwable $e) {
            // nobody waits on a message's Future: say it in the pool's log (asynctask.log)
            error_log(sprintf('asynctask/symfony-messenger: a message of the transport "%s" could not be handled, it is dropped: %s: %s',
                $this->transportName, $e::class, $e->getMessage()));
            throw $e;
        }
    }
}
