<?php

declare(strict_types=1);

/*
 * Makes the queue of a connection with 'driver' => 'asynctask' from its config/queue.php entry:
 * 'queue' (the pool's queue a job goes to when it names none, "default"), 'tries' (1), 'backoff'
 * (0: seconds, or a list), 'timeout' (60 s), 'after_commit' (false): the defaults of `queue:work`
 * for what a job does not say itself.
 */

namespace AsyncTask\Laravel;

use Illuminate\Contracts\Queue\Queue;
use Illuminate\Queue\Connectors\ConnectorInterface;

final class AsyncTaskConnector implements ConnectorInterface
{
    public function connect(array $config): Queue
    {
        $backoff = $config['backoff'] ?? 0;

        return new AsyncTaskQueue(
            defaultQueue: (string) ($config['queue'] ?? 'default'),
            tries: (int) ($config['tries'] ?? 1),
            backoff: is_array($backoff) ? implode(',', $backoff) : (string) $backoff,
            timeout: (int) ($config['timeout'] ?? 60),
            dispatchAfterCommit: (bool) ($config['after_commit'] ?? false),
        );
    }
}
