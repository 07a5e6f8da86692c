<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/** The benchmark's no-op job: it only says it is done (a file named after its id). */
final class NoopJob implements ShouldQueue
{
    use Queueable;

    public function __construct(public string $id)
    {
    }

    public function handle(): void
    {
        // one open: the dispatcher may remove the file as soon as it exists
        file_put_contents(Journal::dir().'/done-'.$this->id, '1');
    }
}
