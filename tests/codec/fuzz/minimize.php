<?php
/*
 * Replays and minimizes fuzz findings (payloads saved by fuzz.php).
 *
 *   php -n -d extension=/path/asynctask.so tests/codec/fuzz/minimize.php [options] FILE.bin...
 *     --replay        run each payload once and print how it settled (default)
 *     --minimize      shrink each payload while it settles the same way
 *                     (same category: "crash: signal 11", "worker died: ...")
 *                     and write it next to it as FILE.min.bin
 *     --gdb           run each payload in a worker that gdb is attached to
 *                     and print gdb's backtrace of the crash (needs gdb)
 *     --timeout=S     how long to wait for a payload (default 20)
 *     --serializer=php|igbinary   the payloads' format (default php; igbinary
 *                     needs the igbinary extension loaded)
 *
 * The pool has one worker: a crash replaces it, the next payload runs in a
 * fresh one. The corpus definitions are loaded (the payloads refer to them).
 */

use AsyncTask\Pool;
use AsyncTask\SerializationException;
use AsyncTask\TaskFailedException;
use AsyncTask\TimeoutException;
use AsyncTask\WorkerCrashedException;

require __DIR__ . '/corpus.inc';
require __DIR__ . '/mutator.inc';

$opt = getopt('', ['replay', 'minimize', 'gdb', 'timeout:', 'serializer:'], $rest);
$files = array_slice($argv, $rest);
$timeout = (float) ($opt['timeout'] ?? 20);
if (!$files || !function_exists('AsyncTask\Testing\dispatchPayload')) {
    fwrite(STDERR, "usage: php -d extension=<fault-injection build> minimize.php [--replay|--minimize|--gdb] FILE.bin...\n");
    exit(2);
}
ini_set('asynctask.serializer', $opt['serializer'] ?? 'php');
ini_set('asynctask.log', $log = sys_get_temp_dir() . '/asynctask-minimize-' . getmypid() . '.log');
Pool::start(1);

/** @return array{0: string, 1: string} the outcome's category and message */
function minimizer_run(string $payload, float $timeout): array
{
    try {
        $value = AsyncTask\Testing\dispatchPayload($payload)->wait($timeout);
        return ['value', substr(var_export($value, true), 0, 200)];
    } catch (WorkerCrashedException $e) {
        $m = $e->getMessage();
        if (preg_match('/killed by signal (\d+)/', $m, $sig)) {
            return ["crash: signal $sig[1]", $m];
        }
        if (preg_match('/exited with status (\d+)/', $m, $st)) {
            return ["crash: exit status $st[1]", $m];
        }
        return ['worker died: ' . preg_replace('/\d+/', 'N', substr($m, 0, 40)), $m];
    } catch (TaskFailedException $e) {
        return ['failed', ($e->getRemoteClass() ? $e->getRemoteClass() . ': ' : '') . $e->getMessage()];
    } catch (SerializationException $e) {
        return ['failed', $e->getMessage()];
    } catch (TimeoutException $e) {
        // a wedged worker: kill it (the manager replaces it), the future then settles
        foreach (Pool::stats()['worker_pids'] as $pid) {
            function_exists('posix_kill') ? posix_kill($pid, 9) : exec('kill -KILL ' . (int) $pid);
        }
        try {
            AsyncTask\Testing\dispatchPayload('N;')->wait($timeout);
        } catch (\Throwable) {
        }
        return ['hang', $e->getMessage()];
    }
}

/** Smaller variants of a decoded value: elements removed, values made simpler. */
function minimizer_variants(mixed $value, int $depth = 0): Generator
{
    if (is_array($value)) {
        foreach (array_keys($value) as $k) {
            $copy = $value;
            unset($copy[$k]);
            yield $copy;
        }
        foreach ($value as $k => $v) {
            foreach (minimizer_variants($v, $depth + 1) as $smaller) {
                $copy = $value;
                $copy[$k] = $smaller;
                yield $copy;
            }
        }
        if ($value !== []) {
            yield [];
        }
    } elseif (is_string($value) && $value !== '') {
        if (strlen($value) > 8) {
            yield substr($value, 0, intdiv(strlen($value), 2));
        }
        yield '';
    } elseif (is_int($value) && $value !== 0) {
        yield 0;
    } elseif (is_object($value) && !$value instanceof UnitEnum && get_class($value) !== 'stdClass') {
        yield new stdClass();
    }
}

function minimizer_shrink(string $payload, string $category, float $timeout): string
{
    $tries = 0;
    // 1. structure: remove and simplify decoded elements, encode again
    for ($progress = true; $progress;) {
        $progress = false;
        // not for igbinary: igbinary_unserialize() itself crashes on some
        // corrupt payloads (F7), which would take this process down
        $igbinary = ini_get('asynctask.serializer') === 'igbinary';
        // the closure form: [code reference, values], each shrunk and encoded back in its place
        $closure = AsyncTaskFuzz\is_closure_form($payload);
        $value = $igbinary ? false : ($closure ? AsyncTaskFuzz\decode_closure_form($payload) : @unserialize($payload));
        if ($value === false || $value === null || ($closure && ($value[0] === false || $value[1] === false))) {
            break;
        }
        foreach (minimizer_variants($value) as $candidate) {
            try {
                if ($closure) {
                    if (!is_array($candidate) || !array_key_exists(0, $candidate) || !array_key_exists(1, $candidate)) {
                        continue;
                    }
                    $smaller = AsyncTaskFuzz\join_closure_form(serialize($candidate[0]), serialize($candidate[1]));
                } else {
                    $smaller = $igbinary ? igbinary_serialize($candidate) : serialize($candidate);
                }
            } catch (\Throwable) {
                continue;
            }
            if (strlen($smaller) >= strlen($payload)) {
                continue;
            }
            $tries++;
            if (minimizer_run($smaller, $timeout)[0] === $category) {
                $payload = $smaller;
                $progress = true;
                break;
            }
        }
    }
    // 2. bytes: remove chunks, halving their size down to one byte
    for ($n = intdiv(strlen($payload), 2); $n >= 1; $n = intdiv($n, 2)) {
        for ($at = 0; $at + $n <= strlen($payload);) {
            $smaller = substr($payload, 0, $at) . substr($payload, $at + $n);
            $tries++;
            if (minimizer_run($smaller, $timeout)[0] === $category) {
                $payload = $smaller;
            } else {
                $at += $n;
            }
        }
    }
    fprintf(STDERR, "minimize: %d tries\n", $tries);
    return $payload;
}

function minimizer_gdb(string $payload, float $timeout): void
{
    $pid = Pool::stats()['worker_pids'][0];
    $gate = sys_get_temp_dir() . '/asynctask-minimize-gdb-' . getmypid();
    @unlink($gate);
    // gdb touches the gate once it is attached (the worker stopped), then lets it go on
    $cmd = ['gdb', '-q', '-batch', '-p', (string) $pid, '-ex', 'set pagination off', '-ex', 'handle SIGPIPE nostop noprint',
        '-ex', 'shell touch ' . escapeshellarg($gate), '-ex', 'continue', '-ex', 'bt 30', '-ex', 'info registers rip',
        '-ex', 'detach'];
    $gdb = proc_open($cmd, [1 => ['file', "$gate.out", 'w'], 2 => ['file', "$gate.err", 'w']], $pipes);
    for ($until = microtime(true) + 30; !file_exists($gate) && microtime(true) < $until;) {
        usleep(10000);
        if (!proc_get_status($gdb)['running']) {
            break;
        }
    }
    [$category, $message] = minimizer_run($payload, $timeout);
    proc_close($gdb);
    $out = (string) @file_get_contents("$gate.out");
    $err = (string) @file_get_contents("$gate.err");
    @unlink($gate);
    @unlink("$gate.out");
    @unlink("$gate.err");
    echo "outcome: $category: $message\n";
    foreach (explode("\n", $out) as $line) {
        if (preg_match('/^(#\d|Thread|Program received|rip)/', $line)) {
            echo "  $line\n";
        }
    }
    if (!str_contains($out, '#0')) {
        echo "  (no backtrace; gdb said: " . trim(substr($err . $out, 0, 600)) . ")\n";
    }
}

$status = 0;
foreach ($files as $file) {
    $payload = file_get_contents($file);
    echo "== $file (" . strlen($payload) . " bytes)\n";
    if (isset($opt['gdb'])) {
        minimizer_gdb($payload, $timeout);
        continue;
    }
    [$category, $message] = minimizer_run($payload, $timeout);
    echo "outcome: $category: $message\n";
    if (isset($opt['minimize']) && !in_array($category, ['value', 'failed'], true)) {
        $min = minimizer_shrink($payload, $category, $timeout);
        $out = preg_replace('/(\.min)?\.bin$/', '', $file) . '.min.bin';
        file_put_contents($out, $min);
        echo 'minimized to ' . strlen($min) . " bytes ($out):\n" . $min . "\n";
        echo 'check: ' . implode(': ', minimizer_run($min, $timeout)) . "\n";
    }
}
Pool::stop(5);
@unlink($log);
exit($status);
