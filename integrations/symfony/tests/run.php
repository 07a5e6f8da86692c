<?php

declare(strict_types=1);

/*
 * The Symfony Messenger integration's tests, against the real kernel of tests/app: run by ../ci
 * with the extension loaded, asynctask.bootstrap=tests/app/worker-bootstrap.php and
 * SF_TEST_DIR/SF_TEST_AUTOLOAD set. Twice: on the shared-memory backend (this process's own pool
 * runs the messages), and with SF_TEST_BACKEND=redis on the Redis backend: this process only
 * dispatches (asynctask.backend set), and a node that ../ci started (tests/node.php,
 * Pool::serve(), the same asynctask.bootstrap) runs the messages; SF_TEST_NODE names the node
 * (asynctask.node) and SF_TEST_NODE_STATUS its status endpoint's socket, where its stats are read.
 * The checks that are about this process's pool or its php (the DSN's parsing, no
 * asynctask.bootstrap, no extension) run on the first pass only. Each check prints "ok" or
 * "FAIL"; the last line is "N passed, N failed"; the exit status is 1 when anything failed.
 */

use App\AlwaysFails;
use App\Flaky;
use App\Journal;
use App\Kernel;
use App\MailPing;
use App\Ping;
use App\Slow;
use App\Unrecoverable;
use AsyncTask\Symfony\Messenger\Transport\AsyncTaskTransportFactory;
use Symfony\Bundle\FrameworkBundle\Console\Application;
use Symfony\Component\Console\Input\ArrayInput;
use Symfony\Component\Console\Output\BufferedOutput;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\InvalidArgumentException;
use Symfony\Component\Messenger\Stamp\DelayStamp;
use Symfony\Component\Messenger\Stamp\ErrorDetailsStamp;
use Symfony\Component\Messenger\Stamp\RedeliveryStamp;
use Symfony\Component\Messenger\Stamp\SentToFailureTransportStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Stamp\TransportNamesStamp;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;

require getenv('SF_TEST_AUTOLOAD');

$passed = 0;
$failed = 0;
function check(string $name, bool $ok, string $detail = ''): void
{
    global $passed, $failed;
    $ok ? ++$passed : ++$failed;
    echo ($ok ? 'ok   ' : 'FAIL ').$name.($ok || '' === $detail ? '' : "\n     $detail")."\n";
}

/** Waits up to $seconds for $until() to be true, polling every 20 ms. */
function waitFor(callable $until, float $seconds): bool
{
    $end = microtime(true) + $seconds;
    while (microtime(true) < $end) {
        if ($until()) {
            return true;
        }
        usleep(20000);
    }

    return (bool) $until();
}

/** @return list<array<string, mixed>> the journal's entries of one kind (and id) */
function entries(string $kind, ?string $id = null): array
{
    return array_values(array_filter(Journal::read(), static fn (array $e) => $e['kind'] === $kind && (null === $id || $e['id'] === $id)));
}

/** @return list<Envelope> what the pool's workers sent to the failure transport */
function failedEnvelopes(): array
{
    $serializer = new PhpSerializer();

    return array_map(static fn (string $f) => $serializer->decode(unserialize((string) file_get_contents($f))), glob(Journal::dir().'/failed/*.msg') ?: []);
}

/**
 * The Redis node's Pool::stats() (with `retried`, the node's own figures), read from its status
 * endpoint (asynctask.status_listen, /api/stats); on the shared-memory backend this process's pool's.
 *
 * @return array<string, mixed>
 */
function poolStats(): array
{
    $socket = getenv('SF_TEST_NODE_STATUS');
    if ('redis' !== getenv('SF_TEST_BACKEND') || !is_string($socket)) {
        return AsyncTask\Pool::stats();
    }
    $conn = @stream_socket_client('unix://'.$socket, $errno, $error, 5);
    if (false === $conn) {
        throw new RuntimeException("the node's status endpoint $socket: $error");
    }
    fwrite($conn, "GET /api/stats HTTP/1.0\r\nHost: node\r\n\r\n");
    $response = (string) stream_get_contents($conn);
    fclose($conn);
    $stats = json_decode(substr($response, (int) strpos($response, "\r\n\r\n") + 4), true);
    if (!is_array($stats)) {
        throw new RuntimeException("the node's status endpoint answered: ".substr($response, 0, 200));
    }

    return $stats;
}

function failedFor(string $class, string $id): ?Envelope
{
    foreach (failedEnvelopes() as $envelope) {
        $m = $envelope->getMessage();
        if ($m instanceof $class && $m->id === $id) {
            return $envelope;
        }
    }

    return null;
}

$redis = 'redis' === getenv('SF_TEST_BACKEND');
$node = (string) getenv('SF_TEST_NODE');
echo $redis ? "--- the Redis backend: this process dispatches, the node \"$node\" runs the messages\n" : "--- the shared-memory backend: this process's pool runs the messages\n";

if ($redis) {
    $stats = AsyncTask\Pool::stats();
    check('with asynctask.backend set this process only dispatches: its Pool::stats() say backend redis, no workers',
        'redis' === ($stats['backend'] ?? null) && 0 === $stats['workers'], json_encode($stats));
}

// 0. the DSN (once: the first pass)
$factory = new AsyncTaskTransportFactory();
$serializer = new PhpSerializer();
if (!$redis) {
check('supports() takes asynctask:// DSNs only', $factory->supports('asynctask://default', []) && !$factory->supports('doctrine://default', []));
check('asynctask://mail is the pool\'s queue "mail", asynctask:// is "default"',
    'mail' === $factory->createTransport('asynctask://mail', ['transport_name' => 't'], $serializer)->getQueue()
    && 'default' === $factory->createTransport('asynctask://', ['transport_name' => 't'], $serializer)->getQueue()
    && 'q2' === $factory->createTransport('asynctask://default', ['transport_name' => 't', 'queue' => 'q2'], $serializer)->getQueue());
foreach ([
    ['asynctask://no/slash', ['transport_name' => 't'], 'an invalid queue name'],
    ['asynctask://default?colour=red', ['transport_name' => 't'], 'an unknown DSN parameter'],
    ['asynctask://default', ['transport_name' => 't', 'colour' => 'red'], 'an unknown option'],
    ['asynctask://default?timeout=-1', ['transport_name' => 't'], 'a negative timeout'],
    ['asynctask://default?retries=later', ['transport_name' => 't'], 'retries other than pool or worker'],
    ['asynctask://default', [], 'no transport_name'],
] as [$dsn, $options, $what]) {
    try {
        $factory->createTransport($dsn, $options, $serializer);
        check("$what is refused", false, 'accepted');
    } catch (InvalidArgumentException $e) {
        check("$what is refused", true);
    }
}
}

$kernel = new Kernel('test', false);
$kernel->boot();
$bus = $kernel->getContainer()->get('test.bus');
$me = getmypid();
// the pool's workers on the queue "default" (this php's settings; the node has the same)
$workers = (int) ini_get('asynctask.workers');

// 1. messages handled in the pool, each worker's kernel booted once
$t0 = microtime(true);
$ids = [];
for ($i = 0; $i < 40; ++$i) {
    $sent = $bus->dispatch(new Ping("p$i"));
    $ids[] = $sent->last(TransportMessageIdStamp::class)?->getId();
}
check('send() stamps each envelope with its pool task id', 40 === count(array_unique(array_filter($ids))), json_encode($ids));
$all = waitFor(static fn () => 40 <= count(entries('ping')), 30);
$pings = entries('ping');
check('40 pings handled by the pool', $all && 40 === count($pings), count($pings).' handled');
$transport = $kernel->getContainer()->get('test.transport.async');
check("the transport's getMessageCount() (messenger:stats) is 0 once every message was handled",
    waitFor(static fn () => 0 === $transport->getMessageCount(), 10), (string) $transport->getMessageCount());
check('each ping handled inside a pool task, in a worker process', [] !== $pings && [] === array_filter($pings, static fn ($e) => !$e['in_task'] || $e['pid'] === $me));
check('each ping handled in the task whose id send() stamped (Future::id() = context()->id())', 40 === count($pings)
    && [] === array_diff(array_map('strval', array_filter($ids)), array_column($pings, 'task')), json_encode(array_slice(array_column($pings, 'task'), 0, 3)));
if ($redis) {
    check("each ping handled on the node \"$node\" (context()->node())", [] !== $pings && [$node] === array_values(array_unique(array_column($pings, 'node'))),
        json_encode(array_values(array_unique(array_column($pings, 'node')))));
}
$handlers = array_unique(array_column($pings, 'pid'));
$boots = entries('boot');
$bootPids = array_column($boots, 'pid');
check('the kernel is booted once per worker', [] === array_filter($pings, static fn ($e) => 1 !== $e['boots'])
    && count($bootPids) === count(array_unique($bootPids)) && [] === array_diff($handlers, $bootPids),
    'boots per ping: '.json_encode(array_count_values(array_column($pings, 'boots'))).', boot pids '.json_encode($bootPids).', handler pids '.json_encode(array_values($handlers)));
check("no more handling processes than workers ($workers)", count($handlers) <= $workers, json_encode(array_values($handlers)));
printf("     40 pings: %.0f ms from first dispatch to last handled\n", 1000 * (max(array_column($pings, 't')) - $t0));
// information, not a check: one message at a time, from dispatch() to its handler's first line
$lat = [];
for ($i = 0; $i < 50; ++$i) {
    $t = microtime(true);
    $bus->dispatch(new Ping("lat$i"));
    if (waitFor(static fn () => [] !== entries('ping', "lat$i"), 10)) {
        $lat[] = 1000 * (entries('ping', "lat$i")[0]['t'] - $t);
    }
}
sort($lat);
if ($lat) {
    printf("     %d messages one at a time, dispatch to handler: min %.2f / median %.2f / max %.2f ms\n", count($lat), $lat[0], $lat[intdiv(count($lat), 2)], end($lat));
}

// 2. a DelayStamp delays the task (Task::delay())
$t0 = microtime(true);
$bus->dispatch(new Ping('delayed'), [new DelayStamp(600)]);
$got = waitFor(static fn () => [] !== entries('ping', 'delayed'), 10);
$late = $got ? entries('ping', 'delayed')[0]['t'] - $t0 : -1;
check('a message with DelayStamp(600) is handled no earlier than 0.6 s after dispatch', $got && $late >= 0.595 && $late < 5, sprintf('after %.3f s', $late));

// 3. a message a handler dispatches to the asynctask transport runs after it, in the same worker
$bus->dispatch(new Ping('parent', 'child'));
$got = waitFor(static fn () => [] !== entries('ping', 'child'), 10);
check('a message dispatched by a handler is handled, by the same worker, after its parent',
    $got && entries('ping', 'child')[0]['pid'] === entries('ping', 'parent')[0]['pid'] && entries('ping', 'child')[0]['t'] >= entries('ping', 'parent')[0]['t']);

// 4. retries through Messenger's retry strategy (2 retries, 200 ms then 400 ms): by the pool
// (retries=pool, the default: the task runs again, attempt 2 and 3) and in the worker (retries=worker)
$retriedBefore = $redis ? 0 : AsyncTask\Pool::stats()['retried'];   // (a dispatcher to Redis has no 'retried')
// (on the node: once the tasks before have ended, so that its counts move by these two alone)
$settled = static fn (array $s): bool => 0 === $s['pending'] && 0 === $s['stream_length'] && 0 === $s['delayed'] && 0 === $s['running'];
$nodeBefore = [];
if ($redis) {
    waitFor(static fn () => $settled(poolStats()), 10);
    $nodeBefore = poolStats();
}
$bus->dispatch(new Flaky('f1', 2));
$bus->dispatch(new Flaky('f2', 2), [new TransportNamesStamp(['async_worker'])]);
foreach (['f1' => [1, 2, 3], 'f2' => [1, 1, 1]] as $id => $attempts) {
    $mode = 'f1' === $id ? 'retries=pool' : 'retries=worker';
    $got = waitFor(static fn () => [] !== entries('flaky-done', $id), 15);
    $calls = entries('flaky', $id);
    check("$mode: a message that fails twice succeeds on its third run", $got && 3 === count($calls), count($calls).' runs');
    if (3 === count($calls)) {
        $gap1 = $calls[1]['t'] - $calls[0]['t'];
        $gap2 = $calls[2]['t'] - $calls[1]['t'];
        check("$mode: the retries wait the strategy's delays (>= 0.2 s, then >= 0.4 s)", $gap1 >= 0.195 && $gap2 >= 0.395 && $gap1 < 5 && $gap2 < 5, sprintf('%.3f s, %.3f s', $gap1, $gap2));
        check("$mode: the pool task's runs are ".json_encode($attempts), $attempts === array_column($calls, 'attempt'), json_encode(array_column($calls, 'attempt')));
        if ('f2' === $id) {
            check("$mode: the worker that handled the failed run handles the retries", 1 === count(array_unique(array_column($calls, 'pid'))));
        }
    }
    check("$mode: a message that succeeded on a retry is not in the failure transport", null === failedFor(Flaky::class, $id));
}
if (!$redis) {
    check('the pool counts the 2 retries of retries=pool, not those of retries=worker', 2 === AsyncTask\Pool::stats()['retried'] - $retriedBefore, (string) (AsyncTask\Pool::stats()['retried'] - $retriedBefore));
} else {
    // a node counts each run by how it ended: the 2 runs of f1 that Messenger retried failed
    // (RetryInPool), its third and f2's one run completed
    waitFor(static fn () => $settled(poolStats()), 10);
    $nodeAfter = poolStats();
    check('the node counts the 2 runs that retries=pool retried failed, and 2 tasks completed (f1\'s third run, f2)',
        2 === $nodeAfter['failed'] - $nodeBefore['failed'] && 2 === $nodeAfter['completed'] - $nodeBefore['completed'],
        sprintf('failed +%d, completed +%d', $nodeAfter['failed'] - $nodeBefore['failed'], $nodeAfter['completed'] - $nodeBefore['completed']));
}

// 5. failure transport: after the last retry, and at once for an unrecoverable failure
$bus->dispatch(new AlwaysFails('a1'));
$got = waitFor(static fn () => null !== failedFor(AlwaysFails::class, 'a1'), 15);
$envelope = failedFor(AlwaysFails::class, 'a1');
check('a message that always fails lands in the failure transport', $got);
check('... after 3 runs (max_retries 2)', 3 === count(entries('always', 'a1')), count(entries('always', 'a1')).' runs');
if (null !== $envelope) {
    // Messenger's failure listener appends RedeliveryStamp(0) after the retries' 1 and 2
    $redeliveries = array_map(static fn (RedeliveryStamp $s) => $s->getRetryCount(), $envelope->all(RedeliveryStamp::class));
    check('... having been redelivered twice (RedeliveryStamps 1, 2), marked as failed on "async", with the handler\'s error',
        [1, 2, 0] === $redeliveries
        && 'async' === $envelope->last(SentToFailureTransportStamp::class)?->getOriginalReceiverName()
        && str_contains((string) $envelope->last(ErrorDetailsStamp::class)?->getExceptionMessage(), 'always fails: a1'),
        'redeliveries '.json_encode($redeliveries).', error '.$envelope->last(ErrorDetailsStamp::class)?->getExceptionMessage());
}
$bus->dispatch(new Unrecoverable('u1'));
$got = waitFor(static fn () => null !== failedFor(Unrecoverable::class, 'u1'), 15);
check('an unrecoverable failure goes to the failure transport after one run, not retried', $got && 1 === count(entries('unrecoverable', 'u1'))
    && 0 === RedeliveryStamp::getRetryCountFromEnvelope(failedFor(Unrecoverable::class, 'u1')), count(entries('unrecoverable', 'u1')).' runs');

// 6. the pool's own accounting: every message task completed (failures are Messenger's to handle)
// (a task ends a moment after its handler wrote what the checks above waited for)
if (!$redis) {
    waitFor(static fn () => AsyncTask\Pool::stats()['completed'] + AsyncTask\Pool::stats()['failed'] >= AsyncTask\Pool::stats()['dispatched'], 10);
    $stats = AsyncTask\Pool::stats();
    check('every message task completed in the pool, none failed', 0 === $stats['failed'] && $stats['completed'] === $stats['dispatched'],
        json_encode(array_intersect_key($stats, array_flip(['dispatched', 'completed', 'failed']))));
} else {
    // the node counts runs: the failed ones are exactly the 4 that retries=pool retried (f1's
    // first two, a1's first two); nothing crashed, timed out, was dead-lettered or is left in Redis
    waitFor(static fn () => $settled(poolStats()), 10);
    $stats = poolStats();
    check('the node: every run completed but the 4 that Messenger retried (failed), none crashed, timed out or dead-lettered, nothing left in Redis',
        4 === $stats['failed'] && 0 === $stats['crashed'] && 0 === $stats['timed_out'] && 0 === $stats['dead_lettered'] && $settled($stats)
        && $stats['completed'] + $stats['failed'] === $stats['dispatched'],
        json_encode(array_intersect_key($stats, array_flip(['dispatched', 'completed', 'failed', 'crashed', 'timed_out', 'dead_lettered', 'pending', 'stream_length', 'delayed', 'running']))));
}

// 6b. many at once: 60 messages that always fail and 60 that fail once (50 with retries=pool, 10
// with retries=worker, whose retries hold the workers), retries interleaved; each of the first lands
// in the failure transport exactly once, each of the others is done exactly once
for ($i = 0; $i < 50; ++$i) {
    $bus->dispatch(new AlwaysFails("many-a$i"));
    $bus->dispatch(new Flaky("many-f$i", 1));
    if ($i < 10) {
        $bus->dispatch(new AlwaysFails("many-w$i"), [new TransportNamesStamp(['async_worker'])]);
        $bus->dispatch(new Flaky("many-g$i", 1), [new TransportNamesStamp(['async_worker'])]);
    }
}
$manyFailed = static function (): array {
    $ids = [];
    foreach (failedEnvelopes() as $envelope) {
        $m = $envelope->getMessage();
        if ($m instanceof AlwaysFails && str_starts_with($m->id, 'many-')) {
            $ids[] = $m->id;
        }
    }

    return $ids;
};
$manyDoneEntries = static fn (): array => array_values(array_filter(entries('flaky-done'), static fn ($e) => str_starts_with($e['id'], 'many-')));
$manyDone = static fn (): array => array_column($manyDoneEntries(), 'id');
$got = waitFor(static fn () => count($manyFailed()) >= 60 && count($manyDone()) >= 60, 60);
usleep(300000);  // anything twice would come now
$failedIds = $manyFailed();
$doneIds = $manyDone();
check('60 always-failing messages each land in the failure transport once, after 3 runs each',
    $got && 60 === count($failedIds) && 60 === count(array_unique($failedIds))
    && 180 === count(array_filter(entries('always'), static fn ($e) => str_starts_with($e['id'], 'many-'))),
    count($failedIds).' in the failure transport, '.count(array_unique($failedIds)).' distinct');
check('60 messages failing once are each done once, on their second run', $got && 60 === count($doneIds) && 60 === count(array_unique($doneIds))
    && [2] === array_values(array_unique(array_column($manyDoneEntries(), 'call'))),
    count($doneIds).' done, '.count(array_unique($doneIds)).' distinct');

// 7. asynctask://mail sends to the pool's queue "mail" (asynctask.queues), served by its own worker
$bus->dispatch(new MailPing('m1'));
$got = waitFor(static fn () => [] !== entries('mail', 'm1'), 10);
check('a message of the transport asynctask://mail is handled on the pool\'s queue "mail"', $got && 'mail' === entries('mail', 'm1')[0]['queue'] && [] === array_intersect([entries('mail', 'm1')[0]['pid']], $handlers),
    $got ? json_encode(entries('mail', 'm1')[0]) : 'not handled');

// 8. asynctask://default?timeout=0.5: a message that runs longer is killed; with retries=pool the
// pool runs it again per the retry strategy (1 retry), then counts it timed out
// (a node counts each run that timed out, the local pool the task once)
$before = poolStats()['timed_out'];
$bus->dispatch(new Slow('s1', 3.0));
$got = waitFor(static fn () => poolStats()['timed_out'] >= $before + ($redis ? 2 : 1), 15);
check('a message past the transport\'s timeout (0.5 s) is killed, run again once (max_retries 1), then timed out in the pool, never done',
    $got && 2 === count(entries('slow-start', 's1')) && [] === entries('slow-done', 's1'), count(entries('slow-start', 's1')).' runs');

// 9. messenger:consume of the asynctask transport has nothing to consume, and stops at its limit
$app = new Application($kernel);
$app->setAutoExit(false);
$out = new BufferedOutput();
$t0 = microtime(true);
$rc = $app->run(new ArrayInput(['command' => 'messenger:consume', 'receivers' => ['async'], '--time-limit' => 1]), $out);
$took = microtime(true) - $t0;
check('messenger:consume async --time-limit=1 exits 0 within the limit, consuming nothing', 0 === $rc && $took < 5,
    sprintf('rc %d after %.1f s: %s', $rc, $took, trim($out->fetch())));

if ($redis) {
    echo "$passed passed, $failed failed\n";
    exit($failed ? 1 : 0);
}

// 10. without asynctask.bootstrap the message's task fails, and the pool's log says why
$log = Journal::dir().'/no-bootstrap.log';
$cmd = [PHP_BINARY, '-d', 'extension='.getenv('SF_TEST_MODULE'), '-d', 'asynctask.workers=1', '-d', 'asynctask.queues=default,mail', '-d', "asynctask.log=$log", __DIR__.'/no-bootstrap.php'];
$proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$stdout = stream_get_contents($pipes[1]);
$stderr = stream_get_contents($pipes[2]);
$rc = proc_close($proc);
$logText = (string) @file_get_contents($log);
check('without asynctask.bootstrap the task fails and the pool\'s log names asynctask.bootstrap',
    0 === $rc && '1' === trim($stdout) && str_contains($logText, 'No Symfony kernel in this asynctask worker: set asynctask.bootstrap'),
    "rc $rc, failed: ".trim($stdout).", stderr: ".trim($stderr).", log: ".trim($logText));

// 11. in a php without the extension, sending throws Messenger's TransportException
$proc = proc_open([PHP_BINARY, __DIR__.'/no-extension.php'], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$stdout = trim((string) stream_get_contents($pipes[1]));
$stderr = trim((string) stream_get_contents($pipes[2]));
$rc = proc_close($proc);
check('without the extension, send() throws TransportException naming it', 0 === $rc
    && str_starts_with($stdout, 'Symfony\\Component\\Messenger\\Exception\\TransportException: The asynctask transport "async" needs the asynctask extension'),
    "rc $rc: $stdout $stderr");

echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
