<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/** Throws on its first $failures runs; failed() writes a journal entry "failed". */
final class FailingJob implements ShouldQueue
{
    use Queueable;

    public $tries = 3;
    public $backoff = [1, 2];

    public function __construct(public string $id, public int $failures = PHP_INT_MAX)
    {
    }

    public function handle(): void
    {
        Journal::write(['kind' => 'failing', 'id' => $this->id, 'job_attempts' => $this->attempts()]);
        if ($this->attempts() <= $this->failures) {
            throw new \RuntimeException("failing job {$this->id}, attempt {$this->attempts()}");
        }
        Journal::write(['kind' => 'failing-done', 'id' => $this->id]);
    }

    public function failed(?\Throwable $e): void
    {
        Journal::write(['kind' => 'failed', 'id' => $this->id, 'error' => $e?->getMessage(), 'class' => $e ? $e::class : null]);
    }
}
