<?php
/*
 * Retries and chains over Redis: this script is a node (Pool::start() with
 * a Redis backend, two workers) and dispatches to it through Redis. A task
 * that fails waits for its backoff in Redis' delayed set (not on a node) and
 * runs again, attempt one higher; a chain's links run one after the other,
 * each with the previous value, each queued by the node that ran the link
 * before it.
 *   php -d extension=modules/asynctask.so -d asynctask.backend=redis://127.0.0.1:6379 \
 *       -d asynctask.secret=$(openssl rand -hex 32) examples/jobs/redis-retries-chains.php
 * It leaves its (empty) streams under the prefix example-<pid> in that Redis.
 */
declare(strict_types=1);

use AsyncTask\Task;

if (!str_starts_with((string) ini_get('asynctask.backend'), 'redis') && !str_starts_with((string) ini_get('asynctask.backend'), 'unix')) {
    exit("set asynctask.backend to a Redis (and asynctask.secret): see the comment at the top\n");
}
ini_set('asynctask.prefix', 'example-' . getmypid());   // keys of its own
AsyncTask\Pool::start(2);

// an SMS gateway that times out twice, then answers
$sms = (new Task(function (string $to) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < 3) {
        throw new RuntimeException("gateway timeout (attempt $attempt)");
    }
    return "sent to $to on attempt $attempt";
}, '+33 6 00 00 00 00'))->withRetries(4, [0.2, 0.5])->dispatch();
echo $sms->wait(10), "\n";                 // sent to … on attempt 3

// retries that run out: the last failure says how many attempts
try {
    (new Task(fn () => throw new DomainException('card declined')))->withRetries(1, 0.1)->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getMessage(), ' (getAttempts(): ', $e->getAttempts(), ")\n";   // card declined (after 2 attempts) (…2)
}

// charge, then send the receipt, then update the totals: one Future for the chain
$chain = (new Task(fn (int $cents) => ['charged' => $cents], 1999))
    ->then(fn (array $charge) => $charge + ['receipt' => 'mailed'])
    ->then(fn (array $done) => implode(', ', array_map(fn ($k, $v) => "$k: $v", array_keys($done), $done)))
    ->dispatch();
echo $chain->wait(10), "\n";               // charged: 1999, receipt: mailed

// a link that fails stops the chain and names itself
try {
    (new Task(fn () => 1))->then(fn (int $n) => throw new LogicException("no stock for $n"))->then('strrev')
        ->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getMessage(), "\n";          // no stock for 1 (link 2 of 3 of the chain, Task::then())
}
AsyncTask\Pool::stop();
