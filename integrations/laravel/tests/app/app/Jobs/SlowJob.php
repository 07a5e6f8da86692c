<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/** Runs 4 s with a timeout of 1 s, one try: fails on its timeout. */
final class SlowJob implements ShouldQueue
{
    use Queueable;

    public $tries = 1;
    public $timeout = 1;

    public function __construct(public string $id)
    {
    }

    public function handle(): void
    {
        Journal::write(['kind' => 'slow', 'id' => $this->id]);
        for ($i = 0; $i < 40; ++$i) {
            usleep(100000);
        }
        Journal::write(['kind' => 'slow-done', 'id' => $this->id]);
    }

    public function failed(?\Throwable $e): void
    {
        Journal::write(['kind' => 'failed', 'id' => $this->id, 'error' => $e?->getMessage(), 'class' => $e ? $e::class : null]);
    }
}
