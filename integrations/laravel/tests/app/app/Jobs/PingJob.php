<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/** Writes a journal entry "ping" with its id. */
final class PingJob implements ShouldQueue
{
    use Queueable;

    public function __construct(public string $id)
    {
    }

    public function handle(): void
    {
        Journal::write(['kind' => 'ping', 'id' => $this->id]);
    }
}
