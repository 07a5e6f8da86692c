<?php

declare(strict_types=1);

/*
 * Thrown into a job that passed its timeout, from the SIGALRM handler Laravel's Worker registers
 * (JobRunner::kill()): where `queue:work` kills its process, a pool worker ends the job (Laravel's
 * handler has already failed it when it was its last attempt or it fails on timeout) and goes on.
 */

namespace AsyncTask\Laravel\Worker;

final class JobTimedOut extends \RuntimeException
{
}
