<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/** Releases itself on its first run, runs to the end on its second. */
final class ReleasingJob implements ShouldQueue
{
    use Queueable;

    public $tries = 2;
    public $backoff = 1;

    public function __construct(public string $id)
    {
    }

    public function handle(): void
    {
        Journal::write(['kind' => 'releasing', 'id' => $this->id, 'job_attempts' => $this->attempts()]);
        if (1 === $this->attempts()) {
            $this->release(1);
        }
    }
}
