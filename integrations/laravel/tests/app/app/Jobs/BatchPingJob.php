<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Bus\Batchable;
use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/** A job of a batch: writes a journal entry "batch-ping" with its id and its batch's id. */
final class BatchPingJob implements ShouldQueue
{
    use Batchable;
    use Queueable;

    public function __construct(public string $id)
    {
    }

    public function handle(): void
    {
        Journal::write(['kind' => 'batch-ping', 'id' => $this->id, 'batch' => $this->batchId]);
    }
}
