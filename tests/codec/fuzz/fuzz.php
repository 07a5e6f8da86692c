<?php
/*
 * Payload decoder fuzzer for asynctask (needs a build configured with
 * --enable-asynctask-fault-injection: AsyncTask\Testing\encode/dispatchPayload).
 *
 *   php -n -d extension=/path/asynctask.so tests/codec/fuzz/fuzz.php \
 *       --seed=N --execs=M [--workers=2] [--window=256] [--timeout=30]
 *       [--serializer=php|igbinary] [--findings=DIR] [--max-seconds=S]
 *       [--no-sweep] [--quiet] [--no-refused]
 *
 * 1. Every corpus entry (corpus.inc) is encoded with encode() and run
 *    unmutated: it must return what calling it here returns. Closures come
 *    in the closure form ("\xA7AT2" + code reference + values), the rest as
 *    envelopes; both are mutated (mutator.inc).
 * 2. Sweep (unless --no-sweep): every truncation of every corpus payload at
 *    a structural boundary.
 * 3. M mutated payloads (mutator.inc, seeded), up to --window in flight,
 *    each waited for with --timeout seconds once it is the oldest.
 * 4. The corpus again (the workers' caches must not be poisoned), a trivial
 *    task, and Pool::stats(): nothing queued or running, dispatched ==
 *    completed + failed, and the counters match what the futures said.
 *
 * --no-refused leaves fixtures/refused.php out of the files descriptions are
 * pointed at: its closures (which the dispatcher refuses to send) crash the
 * worker until it refuses them too (F8-F10 in regressions.phpt); without
 * them, other crashes stand out.
 *
 * Outcomes: a value; a TaskFailedException (the payload was rejected, or the
 * decoded task ran and threw): fine. Findings: a WorkerCrashedException (a
 * signal, a fatal error, exit), any other exception, a Future that does not
 * settle in time (hang), a corpus entry that returns the wrong value, stats
 * that do not add up. A finding's payload is saved as DIR/<sha1>.bin, with a
 * line in DIR/index.tsv (sha1, seed, exec, category, mutation, message).
 *
 * Last line: "fuzz: N executions, N rejected, N values, N findings"; the exit
 * status is 1 when there was any finding.
 */

use AsyncTask\Future;
use AsyncTask\Pool;
use AsyncTask\TaskFailedException;
use AsyncTask\TaskTimeoutException;
use AsyncTask\TimeoutException;
use AsyncTask\WorkerCrashedException;
use AsyncTaskFuzz\Mutator;
use AsyncTask\SerializationException;

require __DIR__ . '/corpus.inc';
require __DIR__ . '/mutator.inc';

$opt = getopt('', ['seed:', 'execs:', 'workers:', 'window:', 'timeout:', 'serializer:', 'findings:', 'max-seconds:',
    'no-sweep', 'quiet', 'log:', 'no-refused']);
$seed = (int) ($opt['seed'] ?? random_int(1, PHP_INT_MAX >> 1));
$execs = (int) ($opt['execs'] ?? 10000);
$workers = (int) ($opt['workers'] ?? 2);
$window = max(1, (int) ($opt['window'] ?? 256));
$timeout = (float) ($opt['timeout'] ?? 30);
$serializer = $opt['serializer'] ?? 'php';
$findingsDir = $opt['findings'] ?? __DIR__ . '/findings';
$maxSeconds = (float) ($opt['max-seconds'] ?? 0);
$quiet = isset($opt['quiet']);

if (!function_exists('AsyncTask\Testing\dispatchPayload')) {
    fwrite(STDERR, "fuzz: this asynctask.so has no AsyncTask\\Testing\\dispatchPayload(): build it with "
        . "./configure --enable-asynctask --enable-asynctask-fault-injection\n");
    exit(2);
}
if (!in_array($serializer, ['php', 'igbinary'], true) || ($serializer === 'igbinary' && !extension_loaded('igbinary'))) {
    fwrite(STDERR, "fuzz: --serializer must be php or igbinary (and igbinary loaded)\n");
    exit(2);
}
ini_set('asynctask.serializer', $serializer);
ini_set('memory_limit', '512M');  // a window of payloads, some of them large
$log = $opt['log'] ?? sys_get_temp_dir() . '/asynctask-fuzz-' . getmypid() . '.log';
ini_set('asynctask.log', $log);
echo "fuzz: seed=$seed execs=$execs workers=$workers window=$window serializer=$serializer timeout={$timeout}s\n";
echo "fuzz: worker log $log, findings in $findingsDir\n";

$tally = [
    'executions' => 0, 'values' => 0, 'rejected' => 0, 'threw' => 0, 'refused' => 0, 'findings' => 0,
    'futures_failed' => 0, 'futures_values' => 0,
];
$groups = [];        // outcome group => count
$findings = [];      // category => count
$saved = [];         // category => saved payloads
$lastFinding = null;

/* The driver's functions have names no mutation of a corpus name reaches: a
 * decoded payload may call any function of the worker, which is this process. */

/** A failure message without its particulars, to count failures by kind. */
function driver_group(string $message): string
{
    $message = preg_replace('~(/[^\s:;,()]+)+~', '<path>', $message);
    $message = preg_replace('/"[^"]*"|\'[^\']*\'/', '"…"', $message);
    $message = preg_replace('/\b[0-9a-f]{32}\b/', '<md5>', $message);
    $message = preg_replace('/(?<=\bclass |\bmethod |\bfunction |\bof type |, )[^\s(:,]+/', '<name>', $message);
    $message = preg_replace('/[^\s(]+(?=\(\))|[^\s:]+::[^\s(:]+/', '<name>', $message);
    $message = preg_replace('/\$\S*/', '$<var>', $message);
    $message = preg_replace('/\d+/', 'N', $message);
    $message = preg_replace('/\s+/', ' ', $message);
    $message = preg_replace('/ (given|in the worker: class <name> does not have a method).*/', ' $1', $message);
    return strlen($message) > 110 ? substr($message, 0, 107) . '...' : $message;
}

/** A payload as an envelope: a closure-form one (encode() of a closure) is converted to its envelope. */
function driver_decode(string $payload): mixed
{
    return AsyncTaskFuzz\decode_envelope($payload);
}

function driver_encode(mixed $value): string
{
    return ini_get('asynctask.serializer') === 'igbinary' ? igbinary_serialize($value) : serialize($value);
}

/** Records a finding and saves its payload (at most 25 per category). */
function driver_finding(string $category, string $payload, string $what, string $message): void
{
    global $tally, $findings, $saved, $findingsDir, $seed, $lastFinding;
    $tally['findings']++;
    $findings[$category] = ($findings[$category] ?? 0) + 1;
    $lastFinding = $category;
    if (($saved[$category] ?? 0) >= 25) {
        return;
    }
    $saved[$category] = ($saved[$category] ?? 0) + 1;
    if (!is_dir($findingsDir)) {
        mkdir($findingsDir, 0777, true);
    }
    $sha = sha1($payload);
    file_put_contents("$findingsDir/$sha.bin", $payload);
    $line = implode("\t", [$sha, $seed, $GLOBALS['tally']['executions'], $category, $what,
        str_replace(["\t", "\n"], ' ', $message)]);
    file_put_contents("$findingsDir/index.tsv", $line . "\n", FILE_APPEND);
    if ($findings[$category] === 1) {
        echo "fuzz: FINDING [$category] $what: $message (payload $findingsDir/$sha.bin)\n";
    }
}

/**
 * Waits for one future and classifies its outcome.
 *
 * @return string 'value', 'rejected', 'threw', 'finding' or 'hang'
 */
function driver_settle(Future $future, string $payload, string $what, float $timeout, ?string $expected = null): string
{
    global $tally, $groups;
    $tally['executions']++;
    try {
        $value = $future->wait($timeout);
    } catch (WorkerCrashedException $e) {
        global $collateral;
        $tally['futures_failed']++;
        $m = $e->getMessage();
        if ($collateral && str_contains($m, 'killed by signal 9')) {
            // another task of a worker we killed after a hang
            $groups['killed after a hang'] = ($groups['killed after a hang'] ?? 0) + 1;
            return 'threw';
        }
        if (preg_match('/killed by signal (\d+)/', $m, $sig)) {
            $category = "crash: signal $sig[1]";
            if (ini_get('asynctask.serializer') === 'igbinary' && driver_igbinary_crashes($payload)) {
                $category .= ' (igbinary_unserialize() itself crashes on it, outside asynctask: an igbinary bug)';
            }
        } elseif (preg_match('/exited with status (\d+)/', $m, $st)) {
            $category = "crash: exit status $st[1]";
        } else {
            $category = 'worker died: ' . driver_group($m);
        }
        driver_finding($category, $payload, $what, $m);
        return 'finding';
    } catch (TaskTimeoutException $e) {
        $tally['futures_failed']++;
        driver_finding('task timeout', $payload, $what, $e->getMessage());
        return 'finding';
    } catch (TaskFailedException $e) {
        $tally['futures_failed']++;
        $remote = $e->getRemoteClass();
        if ($expected !== null) {
            driver_finding('corpus entry failed', $payload, $what, "$remote: " . $e->getMessage());
            return 'finding';
        }
        if ($remote === '' || str_starts_with($remote, 'AsyncTask\\')) {
            $group = 'rejected: ' . driver_group($e->getMessage());
            $tally['rejected']++;
            $outcome = 'rejected';
        } else {
            $group = "threw $remote: " . driver_group($e->getMessage());
            $tally['threw']++;
            $outcome = 'threw';
        }
        $groups[$group] = ($groups[$group] ?? 0) + 1;
        return $outcome;
    } catch (TimeoutException $e) {
        // a wedged worker: a finding; its workers are killed so that the run goes on
        global $hangs, $collateral;
        $hangs++;
        driver_finding('hang', $payload, $what, $e->getMessage());
        driver_unwedge();
        $collateral = true;
        try {
            $future->wait($timeout);  // settles now (its worker was killed), or had just finished
            $tally['futures_values']++;
        } catch (\Throwable) {
            $tally['futures_failed']++;
        }
        return 'hang';
    } catch (SerializationException $e) {
        // the decoded task ran and returned what cannot be sent back (a closure...)
        $tally['futures_failed']++;
        if ($expected !== null) {
            driver_finding('corpus entry failed', $payload, $what, $e->getMessage());
            return 'finding';
        }
        $group = 'unencodable result: ' . driver_group($e->getMessage());
        $groups[$group] = ($groups[$group] ?? 0) + 1;
        $tally['threw']++;
        return 'threw';
    } catch (\Throwable $e) {
        driver_finding('other exception: ' . get_class($e), $payload, $what, $e->getMessage());
        return 'finding';
    }
    $tally['futures_values']++;
    $tally['values']++;
    if ($expected !== null && serialize($value) !== $expected) {
        driver_finding('corpus entry returned a wrong value', $payload, $what,
            'expected ' . substr($expected, 0, 200) . ', got ' . substr(serialize($value), 0, 200));
        return 'finding';
    }
    $groups['value'] = ($groups['value'] ?? 0) + 1;
    return 'value';
}

/** Whether plain igbinary_unserialize() of $payload crashes a fresh PHP (the corpus classes declared). */
function driver_igbinary_crashes(string $payload): bool
{
    $file = tempnam(sys_get_temp_dir(), 'asynctask-fuzz-');
    // the closure form: igbinary decodes the values, after the code reference
    file_put_contents($file, AsyncTaskFuzz\split_closure_form($payload)[1] ?? $payload);
    $code = 'require $argv[1]; igbinary_unserialize(file_get_contents($argv[2]));';
    $cmd = escapeshellarg(PHP_BINARY) . ' -n -d extension=igbinary -d ' . escapeshellarg('extension=' . driver_module())
        . ' -r ' . escapeshellarg($code) . ' ' . escapeshellarg(__DIR__ . '/corpus.inc') . ' ' . escapeshellarg($file)
        . ' > /dev/null 2>&1';
    exec($cmd, $out, $status);
    unlink($file);
    return $status >= 128;  // killed by a signal (the shell's 128 + N)
}

/** The asynctask.so this process loaded. */
function driver_module(): string
{
    foreach (file('/proc/self/maps', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        if (preg_match('~(/\S*/asynctask\.so)$~', $line, $m)) {
            return $m[1];
        }
    }
    return 'asynctask.so';
}

/** After a hang: kill the workers (the manager replaces them) so that the run goes on. */
function driver_unwedge(): void
{
    $pids = Pool::stats()['worker_pids'] ?? [];
    echo 'fuzz: a task hangs; killing the workers (' . implode(', ', $pids) . ")\n";
    foreach ($pids as $pid) {
        if ($pid > 0) {
            function_exists('posix_kill') ? posix_kill($pid, 9) : exec('kill -KILL ' . (int) $pid);
        }
    }
}

// --- the corpus -----------------------------------------------------------------------

$corpus = [];   // name => [payload, expected serialized value]
foreach (AsyncTaskFuzz\fuzz_corpus() as $name => [$callable, $args]) {
    $corpus[$name] = [AsyncTask\Testing\encode($callable, ...$args), serialize($callable(...$args))];
}
// Task subclasses travel as envelopes ('c', 'a' and 'o'), even with a closure
foreach (AsyncTaskFuzz\fuzz_task_objects() as $name => [$task, $ctor]) {
    $env = $ctor ? driver_decode(AsyncTask\Testing\encode($ctor[0], ...$ctor[1])) : [];
    if (!is_array($env)) {
        fwrite(STDERR, "fuzz: the corpus entry $name does not decode to an envelope\n");
        exit(2);
    }
    $env['o'] = $task;
    $corpus[$name] = [driver_encode($env), serialize($task->handle())];
}

Pool::start($workers);
$started = microtime(true);
$hangs = 0;           // futures that did not settle in time
$collateral = false;  // workers were killed after a hang: their other tasks crash with signal 9

function driver_check_corpus(array $corpus, float $timeout, string $when): void
{
    global $tally;
    $futures = [];
    foreach ($corpus as $name => [$payload]) {
        $futures[$name] = AsyncTask\Testing\dispatchPayload($payload);
    }
    $bad = 0;
    foreach ($futures as $name => $future) {
        $before = $tally['findings'];
        driver_settle($future, $corpus[$name][0], "corpus:$name", $timeout, $corpus[$name][1]);
        $bad += $tally['findings'] - $before;
    }
    printf("fuzz: corpus %s: %d entries, %d wrong\n", $when, count($corpus), $bad);
}

driver_check_corpus($corpus, $timeout, 'before');

// --- the runs ----------------------------------------------------------------------------

// (a file larger than memory_limit is not among them: F6 in regressions.phpt;
// it made every worker that picked it exit, and costs seconds once fixed)
$files = [__FILE__, __DIR__ . '/corpus.inc', __DIR__ . '/mutator.inc', __DIR__ . '/fixtures/closures.php',
    __DIR__ . '/fixtures/compile_error.php', __DIR__ . '/fixtures/parse_error.php', __DIR__ . '/fixtures/empty.php',
    ...(isset($opt['no-refused']) ? [] : [__DIR__ . '/fixtures/refused.php']),
    '/nonexistent/x.php', '', '/', __DIR__, '/etc/passwd', '/dev/null', '/proc/self/status', 'php://memory',
    'data://text/plain,<?php 1;', 'corpus.inc', "corpus.inc\0x", str_repeat('/a', 3000)];
$mutator = new Mutator($seed, array_column($corpus, 0), $serializer, $files);

/** @return Generator<array{0: string, 1: string}> */
function driver_inputs(array $corpus, Mutator $mutator, int $execs, bool $sweep): Generator
{
    if ($sweep) {
        foreach ($corpus as $name => [$payload]) {
            foreach (Mutator::boundaries($payload) as $cut) {
                yield [substr($payload, 0, $cut), "sweep:$name@$cut"];
            }
        }
    }
    for ($i = 0; $i < $execs; $i++) {
        try {
            yield $mutator->next();
        } catch (\Throwable $e) {
            // a bug of the mutator, not of the extension: said, and skipped
            echo 'fuzz: mutator error: ' . get_class($e) . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':'
                . $e->getLine() . "\n";
        }
    }
}

$inflight = [];
$lastReport = microtime(true);
foreach (driver_inputs($corpus, $mutator, $execs, !isset($opt['no-sweep'])) as [$payload, $what]) {
    if ($maxSeconds > 0 && microtime(true) - $started > $maxSeconds) {
        echo "fuzz: --max-seconds reached\n";
        break;
    }
    while (count($inflight) >= $window) {
        [$f, $p, $w] = array_shift($inflight);
        driver_settle($f, $p, $w, $timeout);
    }
    try {
        $inflight[] = [AsyncTask\Testing\dispatchPayload($payload), $payload, $what];
    } catch (\Throwable $e) {
        // refused by the dispatcher itself (e.g. larger than asynctask.max_payload)
        $tally['refused']++;
        $groups['refused at dispatch: ' . get_class($e) . ': ' . driver_group($e->getMessage())] =
            ($groups['refused at dispatch: ' . get_class($e) . ': ' . driver_group($e->getMessage())] ?? 0) + 1;
    }
    if (!$quiet && microtime(true) - $lastReport >= 10) {
        $lastReport = microtime(true);
        printf("fuzz: %d executions, %.0f/s, %d rejected, %d values, %d threw, %d findings\n", $tally['executions'],
            $tally['executions'] / ($lastReport - $started), $tally['rejected'], $tally['values'], $tally['threw'],
            $tally['findings']);
    }
}
while ($inflight) {
    [$f, $p, $w] = array_shift($inflight);
    driver_settle($f, $p, $w, $timeout);
}
$elapsed = microtime(true) - $started;

// --- the pool must still be whole ----------------------------------------------------------

driver_check_corpus($corpus, $timeout, 'after');
try {
    $ping = AsyncTask\dispatch('strtoupper', 'ping')->wait($timeout);
    $tally['futures_values']++;
    if ($ping !== 'PING') {
        driver_finding('pool broken', '', 'ping', 'a trivial task returned ' . var_export($ping, true));
    }
} catch (\Throwable $e) {
    driver_finding('pool broken', '', 'ping', get_class($e) . ': ' . $e->getMessage());
}
// a worker posts a result before it gives up its claim on the task: the last
// one may still count as running for a moment after its future settled
for ($until = microtime(true) + 10; ($stats = Pool::stats())['running'] !== 0 && microtime(true) < $until;) {
    usleep(1000);
}
$problems = [];
if ($stats['queued'] !== 0 || $stats['running'] !== 0) {
    $problems[] = "queued={$stats['queued']} running={$stats['running']} after every future settled";
}
if ($stats['dispatched'] !== $stats['completed'] + $stats['failed']) {
    $problems[] = "dispatched={$stats['dispatched']} != completed={$stats['completed']} + failed={$stats['failed']}";
}
if ($stats['completed'] !== $tally['futures_values'] || $stats['failed'] !== $tally['futures_failed']) {
    $problems[] = "stats say completed={$stats['completed']} failed={$stats['failed']}, the futures said "
        . "{$tally['futures_values']} values and {$tally['futures_failed']} failures";
}
if (count($stats['worker_pids']) !== $workers) {
    $problems[] = count($stats['worker_pids']) . " worker(s) left of $workers";
}
foreach ($problems as $problem) {
    driver_finding('stats', '', 'stats', $problem);
}
printf("fuzz: stats: dispatched=%d completed=%d failed=%d crashed=%d respawned=%d dropped_results=%d\n",
    $stats['dispatched'], $stats['completed'], $stats['failed'], $stats['crashed'], $stats['respawned'],
    $stats['dropped_results']);
Pool::stop(10);

// --- report ---------------------------------------------------------------------------------

if (!$quiet) {
    arsort($groups);
    echo 'fuzz: outcomes by kind (' . count($groups) . " kinds, the 60 most frequent):\n";
    foreach (array_slice($groups, 0, 60, true) as $group => $n) {
        printf("  %8d  %s\n", $n, $group);
    }
}
if ($findings) {
    echo "fuzz: findings by category:\n";
    foreach ($findings as $category => $n) {
        printf("  %8d  %s\n", $n, $category);
    }
}
printf("fuzz: seed %d, %.1f s, %.0f executions/s (%d refused by the decoder, %d decoded and threw, %d refused at "
    . "dispatch)\n", $seed, $elapsed, $tally['executions'] / max($elapsed, 0.001), $tally['rejected'], $tally['threw'],
    $tally['refused']);
// "rejected": every Future that settled with a TaskFailedException (or an
// unencodable result) that is not a finding: the payload was refused by the
// decoder, or decoded into a task that ran and threw.
printf("fuzz: %d executions, %d rejected, %d values, %d findings\n", $tally['executions'], $tally['rejected'] + $tally['threw'],
    $tally['values'], $tally['findings']);
if ($tally['findings'] === 0 && !isset($opt['log'])) {
    @unlink($log);
}
exit($tally['findings'] > 0 ? 1 : 0);
