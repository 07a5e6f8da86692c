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
     */
    public function __construct(
        private readonly string $transportName,
        private readonly array $encoded,
    ) {
    }

    /** @return int how many envelopes this task handled (with retries and messages sent meanwhile) */
    public function handle(): int
    {
        try {
            $runner = WorkerKernel::kernel()->getContainer()->get(EnvelopeRunner::SERVICE_ID);
            \assert($runner instanceof EnvelopeRunner);

            return $runner->run($this->transportName, $this->encoded);
        } catch (\Throwable $e) {
            // nobody waits on a message's Future: say it in the pool's log (asynctask.log)
            error_log(sprintf('asynctask/symfony-messenger: a message of the transport "%s" could not be handled, it is dropped: %s: %s',
                $this->transportName, $e::class, $e->getMessage()));
            throw $e;
        }
    }

    public function getTransportName(): string
    {
        return $this->transportName;
    }
}
