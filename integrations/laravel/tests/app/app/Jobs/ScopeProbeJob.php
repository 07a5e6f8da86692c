<?php

declare(strict_types=1);

namespace App\Jobs;

use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Queue\Queueable;

/**
 * Marks the scoped instance "probe" (AppServiceProvider-free: bound here on first use) and the
 * log's context; the journal says whether this job found them fresh, as queue:work resets them.
 */
final class ScopeProbeJob implements ShouldQueue
{
    use Queueable;

    public function __construct(public string $id)
    {
    }

    public function handle(): void
    {
        $app = app();
        if (!$app->bound('probe')) {
            $app->scoped('probe', static fn () => new \ArrayObject());
        }
        $probe = $app->make('probe');
        $fresh = !isset($probe['mark']) && [] === \Illuminate\Support\Facades\Log::sharedContext();
        $probe['mark'] = $this->id;
        \Illuminate\Support\Facades\Log::shareContext(['probe' => $this->id]);
        Journal::write(['kind' => 'probe', 'id' => $this->id, 'fresh' => $fresh]);
    }
}
