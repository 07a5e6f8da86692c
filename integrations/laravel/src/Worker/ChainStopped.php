<?php

declare(strict_types=1);

/*
 * Thrown by a RunJob task that is a link of a chain (Task::then()) with links after it, when its
 * job did not succeed (it failed, or was released with no run left): the pool runs no further
 * link, as Laravel dispatches the next job of a chain only after a success. The job's failure
 * itself is Laravel's (failed(), failed_jobs), as for any job.
 */

namespace AsyncTask\Laravel\Worker;

final class ChainStopped extends \RuntimeException
{
}
