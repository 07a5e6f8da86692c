<?php

declare(strict_types=1);

namespace AsyncTask\Revolt;

use AsyncTask\Future;

/**
 * Suspends the current Fiber (or runs the loop, called from {main}) until
 * $future settles, and returns its value or throws its exception, as
 * Future::wait() would; Revolt's loop serves everything else meanwhile.
 *
 * @throws \AsyncTask\TaskFailedException and the other exceptions of Future::wait()
 */
function await(Future $future): mixed
{
    return Awaiter::instance()->await($future);
}
