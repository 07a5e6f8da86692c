<?php

declare(strict_types=1);

/*
 * The Laravel integration's tests, against a real Laravel 11 application (the skeleton from
 * Composer with tests/app copied over it): run by ../ci with the extension loaded,
 * asynctask.bootstrap = the application's vendor/asynctask/laravel/bootstrap/worker.php, a pool of
 * 2 workers on the queue "default" and 1 on "solo", and LV_TEST_DIR, LV_TEST_APP, LV_TEST_MODULE,
 * LV_TEST_PHP_ARGS set. Twice: on the shared-memory backend (this process's own pool runs the
 * jobs), and with LV_TEST_BACKEND=redis on the Redis backend: this process (and the artisan
 * command it starts) only dispatches (asynctask.backend set), and a node that ../ci started
 * (tests/node.php, Pool::serve(), the same asynctask.bootstrap) runs the jobs; LV_TEST_NODE names
 * the node (asynctask.node) and LV_TEST_NODE_STATUS its status endpoint's socket, where its stats
 * are read. The checks of the connector alone and of this php (no asynctask.bootstrap, no
 * extension) run on the first pass only. Each check prints "ok" or "FAIL"; the last line is
 * "N passed, N failed"; the exit status is 1 when anything failed.
 */

use App\Jobs\FailingJob;
use App\Jobs\Journal;
use App\Jobs\PingJob;
use App\Jobs\ReleasingJob;
use App\Jobs\ScopeProbeJob;
use App\Jobs\SlowJob;
use AsyncTask\Laravel\AsyncTaskQueue;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Bus;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Queue;

$base = (string) getenv('LV_TEST_APP');
require $base.'/vendor/autoload.php';
$app = require $base.'/bootstrap/app.php';
$app->make(Illuminate\Contracts\Console\Kernel::class)->bootstrap();

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

/**
 * The Redis node's Pool::stats() (the node's own figures), read from its status endpoint
 * (asynctask.status_listen, /api/stats); on the shared-memory backend this process's pool's.
 *
 * @return array<string, mixed>
 */
function poolStats(): array
{
    $socket = getenv('LV_TEST_NODE_STATUS');
    if ('redis' !== getenv('LV_TEST_BACKEND') || !is_string($socket)) {
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

/** Whether the node has nothing left: no entry pending, waiting in a stream or delayed, no task running. */
function nodeSettled(array $s): bool
{
    return 0 === $s['pending'] && 0 === $s['stream_length'] && 0 === $s['delayed'] && 0 === $s['running'];
}

/** @return list<object> the rows of failed_jobs whose payload is a job with that id */
function failedRows(string $id): array
{
    return array_values(array_filter(DB::table('failed_jobs')->get()->all(),
        static fn ($row) => str_contains((string) $row->payload, '\\"'.$id.'\\"') || str_contains((string) $row->payload, '"'.$id.'"')));
}

// the test application's own tables: a rerun (LV_KEEP=1) starts from empty ones
DB::table('failed_jobs')->delete();
DB::table('job_batches')->delete();
$me = getmypid();
$workers = 3;

$redis = 'redis' === getenv('LV_TEST_BACKEND');
$node = (string) getenv('LV_TEST_NODE');
echo $redis ? "--- the Redis backend: this process dispatches, the node \"$node\" runs the jobs\n" : "--- the shared-memory backend: this process's pool runs the jobs\n";
if ($redis) {
    $stats = AsyncTask\Pool::stats();
    check('with asynctask.backend set this process only dispatches: its Pool::stats() say backend redis, no workers',
        'redis' === ($stats['backend'] ?? null) && 0 === $stats['workers'], json_encode($stats));
}

// 0. the connection (once: the first pass)
$queue = Queue::connection('asynctask');
if (!$redis) {
check('the connection "asynctask" is an AsyncTaskQueue (driver asynctask, from the service provider)', $queue instanceof AsyncTaskQueue, get_debug_type($queue));
check('pop() returns null (the pool runs the jobs), size() an int', null === $queue->pop() && is_int($queue->size()));
check('the retry plan: tries 3, backoff [1, 2] -> 2 retries after 1 s then 2 s; tries 1 -> none; backoff "5" repeats',
    [1, 2] === AsyncTaskQueue::retryPlan(['maxTries' => 3, 'backoff' => '1,2'], 1, '0')
    && [] === AsyncTaskQueue::retryPlan(['maxTries' => null, 'backoff' => null], 1, '0')
    && [5, 5, 5] === AsyncTaskQueue::retryPlan(['maxTries' => 4, 'backoff' => null], 1, '5'));
}

// 1. a job dispatched from a route (the application's HTTP kernel handles a request)
$response = $app->make(Illuminate\Contracts\Http\Kernel::class)->handle(Request::create('/dispatch/route1'));
check('GET /dispatch/route1 answers 200', 200 === $response->getStatusCode(), (string) $response->getStatusCode());
$got = waitFor(static fn () => [] !== entries('ping', 'route1'), 15);
$e = entries('ping', 'route1')[0] ?? null;
check('the job dispatched from the route runs in the pool (in a task, in another process)', $got && $e['in_task'] && $e['pid'] !== $me, json_encode($e));

// 2. a job dispatched from an artisan command (its own process: its pool drains when it ends)
$cmd = sprintf('cd %s && php %s artisan app:dispatch-ping artisan1 2>&1', escapeshellarg($base), (string) getenv('LV_TEST_PHP_ARGS'));
exec($cmd, $out, $rc);
$got = waitFor(static fn () => [] !== entries('ping', 'artisan1'), 15);
$e = entries('ping', 'artisan1')[0] ?? null;
check('`php artisan app:dispatch-ping` exits 0', 0 === $rc, implode("\n", $out));
check('the job dispatched from the artisan command runs in the pool', $got && $e['in_task'], json_encode($e));

// 2b. a chain dispatched by an artisan command that exits at once: the pool (locally, the
// command's own, which drains when it ends; over Redis, the node) runs it to its end
$out = [];
$cmd = sprintf('cd %s && php %s artisan app:dispatch-chain artisan-chain 2>&1', escapeshellarg($base), (string) getenv('LV_TEST_PHP_ARGS'));
exec($cmd, $out, $rc);
$got = waitFor(static fn () => [] !== entries('ping', 'artisan-chain-c'), 15);
$links = [entries('ping', 'artisan-chain-a'), entries('ping', 'artisan-chain-b'), entries('ping', 'artisan-chain-c')];
check('a chain of 3 jobs dispatched by `php artisan app:dispatch-chain` (exit 0) runs each link once, in order, as one pool chain',
    0 === $rc && $got && [1, 1, 1] === array_map('count', $links) && $links[0][0]['t'] <= $links[1][0]['t'] && $links[1][0]['t'] <= $links[2][0]['t']
    && null !== $links[0][0]['task'] && 1 === count(array_unique(array_map(static fn ($l) => $l[0]['task'], $links))),
    "rc $rc: ".implode("\n", $out).' '.json_encode($links));

// 3. many jobs; the application booted once per worker
for ($i = 0; $i < 40; ++$i) {
    PingJob::dispatch("p$i");
}
$all = waitFor(static fn () => 40 <= count(array_filter(entries('ping'), static fn ($e) => str_starts_with($e['id'], 'p'))), 30);
$pings = array_values(array_filter(entries('ping'), static fn ($e) => str_starts_with($e['id'], 'p')));
check('40 jobs run in the pool', $all && 40 === count($pings), count($pings).' ran');
$runners = array_unique(array_column($pings, 'pid'));
check('the application is booted once per worker (WorkerApplication::boots() is 1 in every job)',
    [] === array_filter($pings, static fn ($e) => 1 !== $e['boots']), json_encode(array_count_values(array_column($pings, 'boots'))));
check("no more processes ran them than workers ($workers)", count($runners) <= $workers, json_encode(array_values($runners)));
if ($redis) {
    check("every job ran on the node \"$node\" (context()->node())", [] !== $pings && [$node] === array_values(array_unique(array_column($pings, 'node'))),
        json_encode(array_values(array_unique(array_column($pings, 'node')))));
}

// 4. a delayed job runs after its delay (Task::delay())
$t0 = microtime(true);
PingJob::dispatch('delayed1')->delay(2);
$got = waitFor(static fn () => [] !== entries('ping', 'delayed1'), 15);
$late = $got ? entries('ping', 'delayed1')[0]['t'] - $t0 : -1;
check('a job dispatched with delay(2) runs no earlier than 2 s after dispatch (and within 6 s)', $got && $late >= 1.99 && $late < 6, sprintf('after %.3f s', $late));

// 5. a job failing every time: tries 3, backoff [1, 2]; failed() called; a row in failed_jobs
$retriedBefore = $redis ? 0 : AsyncTask\Pool::stats()['retried'];   // (a dispatcher to Redis has no 'retried')
$nodeBefore = [];
if ($redis) {
    // once the tasks before have ended, so that the node's counts move by this job alone
    waitFor(static fn () => nodeSettled(poolStats()), 10);
    $nodeBefore = poolStats();
}
$t0 = microtime(true);
FailingJob::dispatch('fail1');
$got = waitFor(static fn () => [] !== entries('failed', 'fail1'), 20);
$runs = entries('failing', 'fail1');
check('a job that always fails runs 3 times (its $tries)', 3 === count($runs), count($runs).' runs');
check('... its attempts() are 1, 2, 3, on pool runs 1, 2, 3', [1, 2, 3] === array_column($runs, 'job_attempts') && [1, 2, 3] === array_column($runs, 'attempt'), json_encode($runs));
if (3 === count($runs)) {
    $gap1 = $runs[1]['t'] - $runs[0]['t'];
    $gap2 = $runs[2]['t'] - $runs[1]['t'];
    check('... waiting its $backoff: >= 1 s, then >= 2 s', $gap1 >= 0.99 && $gap2 >= 1.99 && $gap1 < 5 && $gap2 < 6, sprintf('%.3f s, %.3f s', $gap1, $gap2));
}
$f = entries('failed', 'fail1');
check('... then its failed() is called once, with the last exception', $got && 1 === count($f) && str_contains((string) $f[0]['error'], 'attempt 3'), json_encode($f));
// the row is written after failed() is called (JobFailed's listener): wait for it too
waitFor(static fn () => [] !== failedRows('fail1'), 10);
usleep(200000);   // and a moment more: a second row would come now
$rows = failedRows('fail1');
check('... and it lands in failed_jobs (SQLite) once, with connection, queue and exception',
    1 === count($rows) && 'asynctask' === $rows[0]->connection && 'default' === $rows[0]->queue && str_contains((string) $rows[0]->exception, 'failing job fail1, attempt 3'),
    json_encode(array_map(static fn ($r) => [$r->connection, $r->queue, substr((string) $r->exception, 0, 120)], $rows)));
if (!$redis) {
    check('... the pool counts its 2 retries', 2 <= AsyncTask\Pool::stats()['retried'] - $retriedBefore, (string) (AsyncTask\Pool::stats()['retried'] - $retriedBefore));
} else {
    // a node counts each run by how it ended: the 2 released runs failed (ReleaseInPool), the last completed
    waitFor(static fn () => nodeSettled(poolStats()), 10);
    $nodeAfter = poolStats();
    check('... the node counts its 2 released runs failed and its last completed, none crashed',
        2 === $nodeAfter['failed'] - $nodeBefore['failed'] && 1 === $nodeAfter['completed'] - $nodeBefore['completed'] && $nodeAfter['crashed'] === $nodeBefore['crashed'],
        sprintf('failed +%d, completed +%d, crashed +%d', $nodeAfter['failed'] - $nodeBefore['failed'], $nodeAfter['completed'] - $nodeBefore['completed'], $nodeAfter['crashed'] - $nodeBefore['crashed']));
}

// 6. a job failing once succeeds on its second run, and is not in failed_jobs
FailingJob::dispatch('flaky1', 1);
$got = waitFor(static fn () => [] !== entries('failing-done', 'flaky1'), 15);
check('a job that fails once succeeds on its second run', $got && 2 === count(entries('failing', 'flaky1')), count(entries('failing', 'flaky1')).' runs');
check('... and is neither failed() nor in failed_jobs', [] === entries('failed', 'flaky1') && [] === failedRows('flaky1'));

// 7. release(): the job runs again
ReleasingJob::dispatch('rel1');
$got = waitFor(static fn () => 2 <= count(entries('releasing', 'rel1')), 15);
$runs = entries('releasing', 'rel1');
check('a job that calls $this->release(1) runs again, once, with attempts() 2, >= 1 s later',
    $got && [1, 2] === array_column($runs, 'job_attempts') && $runs[1]['t'] - $runs[0]['t'] >= 0.99, json_encode($runs));
usleep(300000);
check('... and is not in failed_jobs', [] === failedRows('rel1') && 2 === count(entries('releasing', 'rel1')));

// 8. timeout: $timeout = 1, a 4 s job: ended in its worker, failed() with TimeoutExceededException, in failed_jobs
$t0 = microtime(true);
SlowJob::dispatch('slow1');
$got = waitFor(static fn () => [] !== entries('failed', 'slow1'), 15);
$f = entries('failed', 'slow1');
check('a job past its $timeout (1 s) is failed, with TimeoutExceededException, within 5 s (before the pool\'s own limit, 6 s)',
    $got && 'Illuminate\Queue\TimeoutExceededException' === ($f[0]['class'] ?? null) && $f[0]['t'] - $t0 < 5, json_encode($f));
waitFor(static fn () => [] !== failedRows('slow1'), 10);   // written after failed() is called
check('... it never ran to its end, and it is in failed_jobs', [] === entries('slow-done', 'slow1') && 1 === count(failedRows('slow1')));
$after = microtime(true);
PingJob::dispatch('after-slow');
check('... and the pool goes on running jobs', waitFor(static fn () => [] !== entries('ping', 'after-slow'), 10));

// 9. chains: one pool chain (Task::then()) when every job runs on this connection and queue
Bus::chain([new PingJob('chain-a'), new PingJob('chain-b'), new PingJob('chain-c')])->dispatch();
$got = waitFor(static fn () => [] !== entries('ping', 'chain-c'), 15);
usleep(200000);
$links = [entries('ping', 'chain-a'), entries('ping', 'chain-b'), entries('ping', 'chain-c')];
$once = [1, 1, 1] === array_map('count', $links);
check('a chain of 3 jobs runs each once, in order, in the pool', $got && $once && $links[0][0]['t'] <= $links[1][0]['t'] && $links[1][0]['t'] <= $links[2][0]['t'] && $links[2][0]['in_task'],
    json_encode(array_map('count', $links)));
check('... as one pool chain (Task::then(): every link has the chain\'s task id)', $once && null !== $links[0][0]['task'] && 1 === count(array_unique(array_map(static fn ($l) => $l[0]['task'], $links))),
    json_encode($once ? array_map(static fn ($l) => $l[0]['task'], $links) : null));
Bus::chain([new PingJob('chain2-a'), new FailingJob('chain2-flaky', 1), new PingJob('chain2-c')])->dispatch();
$got = waitFor(static fn () => [] !== entries('ping', 'chain2-c'), 15);
check('a chain goes on after a job that failed once and succeeded on its retry, a retry of the pool\'s link (its runs 1, 2) after its backoff',
    $got && [1, 2] === array_column(entries('failing', 'chain2-flaky'), 'job_attempts') && [1, 2] === array_column(entries('failing', 'chain2-flaky'), 'attempt')
    && entries('failing', 'chain2-flaky')[1]['t'] - entries('failing', 'chain2-flaky')[0]['t'] >= 0.99,
    json_encode(entries('failing', 'chain2-flaky')));
Bus::chain([new FailingJob('chain-fail', PHP_INT_MAX), new PingJob('chain-never')])->dispatch();
// FailingJob has tries 3 and backoff 1, 2: failed after about 3 s
$got = waitFor(static fn () => [] !== entries('failed', 'chain-fail'), 20);
waitFor(static fn () => [] !== failedRows('chain-fail'), 10);   // written after failed() is called
usleep(500000);
check('a chain stops at a job that failed (failed() called, in failed_jobs): the next never runs',
    $got && [] === entries('ping', 'chain-never') && 1 === count(failedRows('chain-fail')));
// a chain Task::then() cannot carry (a delayed job): Laravel's own, the next job run by the same worker
Bus::chain([new PingJob('chain3-a'), (new PingJob('chain3-b'))->delay(1)])->dispatch();
$got = waitFor(static fn () => [] !== entries('ping', 'chain3-b'), 15);
$a = entries('ping', 'chain3-a')[0] ?? null;
$b = entries('ping', 'chain3-b')[0] ?? null;
check('a chain with a delayed job runs it after its delay (>= 1 s), in the worker that ran the job before it',
    $got && $a && $b && $b['t'] - $a['t'] >= 0.99 && $a['pid'] === $b['pid'] && $b['in_task'], json_encode([$a, $b]));

// 9b. a batch: its jobs run in the pool, job_batches records them, its then() callback runs once.
// On the queue "solo" (one worker): SQLite has one writer, and Laravel's batch repository
// updates job_batches in a read-then-write transaction that SQLite refuses ("database is locked",
// at once, not after busy_timeout) when two processes do it at once, as two queue:work would.
$batch = Bus::batch([new App\Jobs\BatchPingJob('b1'), new App\Jobs\BatchPingJob('b2'), new App\Jobs\BatchPingJob('b3')])
    ->then(static function (Illuminate\Bus\Batch $batch): void {
        Journal::write(['kind' => 'batch-then', 'id' => $batch->id]);
    })->onQueue('solo')->dispatch();
$got = waitFor(static fn () => [] !== entries('batch-then'), 15);
$jobs = entries('batch-ping');
$row = DB::table('job_batches')->where('id', $batch->id)->first();
check('a batch of 3 jobs runs in the pool, its then() callback once, and job_batches counts it finished',
    $got && 3 === count($jobs) && [] === array_filter($jobs, static fn ($e) => !$e['in_task'] || $e['batch'] !== $batch->id)
    && 1 === count(entries('batch-then')) && null !== $row && 0 === (int) $row->pending_jobs && 0 === (int) $row->failed_jobs && null !== $row->finished_at,
    json_encode(['jobs' => count($jobs), 'then' => entries('batch-then'), 'row' => $row]));

// 10. queue:work's reset between jobs: scoped instances and the log's shared context
for ($i = 0; $i < 4; ++$i) {
    ScopeProbeJob::dispatch("probe$i")->onQueue('solo');
}
$got = waitFor(static fn () => 4 <= count(entries('probe')), 15);
$probes = entries('probe');
check('4 jobs on the queue "solo" (one worker) run in one process, each on the queue "solo"',
    $got && 1 === count(array_unique(array_column($probes, 'pid'))) && ['solo'] === array_values(array_unique(array_column($probes, 'queue'))), json_encode($probes));
check('... each finds the scoped instances and the log\'s shared context reset', $got && [true, true, true, true] === array_column($probes, 'fresh'), json_encode(array_column($probes, 'fresh')));

// 11. the pool's count: every job task completed or failed, none crashed
if ($redis) {
    waitFor(static fn () => nodeSettled(poolStats()), 10);
}
$stats = poolStats();
check('the pool counts no crashed worker and no timed-out task (the worker enforced the job\'s timeout)', 0 === $stats['crashed'] && 0 === $stats['timed_out'], json_encode(array_intersect_key($stats, array_flip(['completed', 'failed', 'crashed', 'timed_out', 'retried']))));
if ($redis) {
    check('... the node dead-lettered nothing, and nothing is left in Redis (no entry pending, in a stream or delayed)',
        0 === $stats['dead_lettered'] && nodeSettled($stats), json_encode(array_intersect_key($stats, array_flip(['dead_lettered', 'pending', 'stream_length', 'delayed', 'running']))));
    echo "$passed passed, $failed failed\n";
    exit($failed ? 1 : 0);
}

// 12. without asynctask.bootstrap: the job's task fails, the pool's log says why
$log = Journal::dir().'/no-bootstrap.log';
$cmd = [PHP_BINARY, '-d', 'extension='.getenv('LV_TEST_MODULE'), '-d', 'asynctask.workers=1', '-d', 'asynctask.queues=default,solo', '-d', "asynctask.log=$log",
    $base.'/artisan', 'app:dispatch-ping', 'no-bootstrap'];
$proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $base);
$stdout = trim((string) stream_get_contents($pipes[1]));
$stderr = trim((string) stream_get_contents($pipes[2]));
$rc = proc_close($proc);
$logText = (string) @file_get_contents($log);
check('without asynctask.bootstrap the job does not run and the pool\'s log names asynctask.bootstrap',
    0 === $rc && [] === entries('ping', 'no-bootstrap') && str_contains($logText, 'No Laravel application in this asynctask worker: set asynctask.bootstrap'),
    "rc $rc: $stdout $stderr; log: ".trim($logText));

// 13. in a php without the extension, dispatching to the connection throws, saying so
$proc = proc_open([PHP_BINARY, $base.'/artisan', 'app:dispatch-ping', 'no-extension'], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $base);
$stdout = trim((string) stream_get_contents($pipes[1]));
$stderr = trim((string) stream_get_contents($pipes[2]));
$rc = proc_close($proc);
check('without the extension, dispatching fails the command with "needs the asynctask extension"',
    0 !== $rc && str_contains($stdout.$stderr, 'The queue connection "asynctask" (driver asynctask) needs the asynctask extension'), "rc $rc: $stdout $stderr");

echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
