<?php
/*
 * asynctask benchmark: round-trip latency and fire-and-forget throughput,
 * against a plain-PHP baseline measured in the same run.
 *
 *   php -n -d extension=modules/asynctask.so bench/roundtrip.php [options]
 *     --iterations=N   round trips measured per system, after warm-up (default 20000)
 *     --warmup=N       round trips before measuring                   (default 1000)
 *     --tasks=N        tasks per throughput round                      (default 100000)
 *     --rounds=N       throughput rounds per system; the median counts (default 3)
 *     --workers=N      workers, for asynctask and for the baseline     (default 2)
 *     --callable=KIND  closure | named: what asynctask dispatches      (default closure)
 *     --only=WHICH     asynctask | baseline                            (default both)
 *     --json           print the numbers as JSON instead of a table
 *
 * asynctask: a no-op closure with one `use` variable (or, with --callable=named,
 * the function bench_noop by name, with one argument).
 *   latency:    AsyncTask\dispatch($noop)->wait(), one task in flight at a time
 *   throughput: dispatch N of them, then Future::all() on the N futures
 * baseline: a plain-PHP pre-forked pool of the same number of workers, one
 *   stream_socket_pair per worker, length-prefixed serialize() frames naming a
 *   function (bench_noop) and its argument.
 *   latency:    send one frame to worker 0, read its reply
 *   throughput: round-robin over the workers, up to WINDOW frames in flight
 *               per worker, until N replies are read
 *
 * Both pools are up for the whole run, idle while the other one is measured
 * (blocked in a read, or asleep on the queue: no CPU). Latency is measured in
 * blocks that alternate between the two, and throughput in alternating rounds,
 * so that a noisy neighbour or a frequency change hits both alike.
 */

declare(strict_types=1);

const WINDOW = 256;
const LATENCY_BLOCKS = 5;

function bench_noop(int $x): int
{
    return $x;
}

$options = getopt('', ['iterations:', 'warmup:', 'tasks:', 'rounds:', 'workers:', 'callable:', 'only:', 'json']);
$iterations = max(100, (int) ($options['iterations'] ?? 20000));
$warmup     = max(0, (int) ($options['warmup'] ?? 1000));
$tasks      = max(1000, (int) ($options['tasks'] ?? 100000));
$rounds     = max(1, (int) ($options['rounds'] ?? 3));
$workers    = max(1, (int) ($options['workers'] ?? 2));
$callable   = $options['callable'] ?? 'closure';
$only       = $options['only'] ?? 'both';
$json       = isset($options['json']);

if (!in_array($only, ['both', 'asynctask', 'baseline'], true)) {
    fail('--only must be asynctask or baseline');
}
if (!in_array($callable, ['closure', 'named'], true)) {
    fail('--callable must be closure or named');
}
if ($only !== 'baseline' && !extension_loaded('asynctask')) {
    fail('the asynctask extension is not loaded: run with php -d extension=/path/to/asynctask.so (or --only=baseline)');
}
if ($only !== 'asynctask' && !function_exists('pcntl_fork')) {
    fail("the baseline needs pcntl (built into Debian's php-cli); or run with --only=asynctask");
}

/** @var array<string, BaselinePool|AsyncTaskPool> $systems */
$systems = [];
if ($only !== 'asynctask') {
    // forked first: its workers must not be copies of a process that owns an asynctask pool
    note("baseline: $workers pre-forked plain-PHP workers over stream_socket_pair");
    $systems['baseline'] = new BaselinePool($workers);
}
if ($only !== 'baseline') {
    note("asynctask: $workers workers, " . describe($callable));
    $systems['asynctask'] = new AsyncTaskPool($workers, $callable);
}

// warm-up, then latency in alternating blocks
foreach ($systems as $system) {
    for ($i = 0; $i < $warmup; $i++) {
        $system->roundTrip();
    }
}
$samples = array_fill_keys(array_keys($systems), []);
$perBlock = (int) ceil($iterations / LATENCY_BLOCKS);
for ($block = 0; $block < LATENCY_BLOCKS; $block++) {
    foreach ($systems as $name => $system) {
        $n = min($perBlock, $iterations - $block * $perBlock);
        for ($i = 0; $i < $n; $i++) {
            $t = hrtime(true);
            $system->roundTrip();
            $samples[$name][] = hrtime(true) - $t;
        }
    }
}

// throughput in alternating rounds
$rates = array_fill_keys(array_keys($systems), []);
for ($round = 0; $round < $rounds; $round++) {
    foreach ($systems as $name => $system) {
        $t = hrtime(true);
        $sum = $system->throughput($tasks);
        $elapsed = (hrtime(true) - $t) / 1e9;
        if ($sum !== $tasks) {
            throw new RuntimeException("$name: wrong results in the throughput run ($sum, expected $tasks)");
        }
        $rates[$name][] = $tasks / $elapsed;
    }
}

$results = [];
foreach ($systems as $name => $system) {
    $latency = percentiles($samples[$name]);
    sort($rates[$name]);
    $results[$name] = [
        'p50_us'      => $latency['p50'],
        'p99_us'      => $latency['p99'],
        'mean_us'     => $latency['mean'],
        'tasks_per_s' => $rates[$name][intdiv(count($rates[$name]), 2)],
        'rounds'      => array_map(static fn (float $r): int => (int) round($r), $rates[$name]),
    ] + $system->extra();
    note(sprintf('  %-9s  round trip p50 %.1f us, p99 %.1f us; throughput %s tasks/s%s',
        $name, $latency['p50'], $latency['p99'], implode(' / ', $results[$name]['rounds']),
        isset($results[$name]['dispatch_us']) ? sprintf(' (%.1f us per dispatch() call)', $results[$name]['dispatch_us']) : ''));
    $system->close();
}

$machine = [
    'cpu'        => cpu_model(),
    'cpus'       => cpu_count(),
    'php'        => PHP_VERSION,
    'asynctask'  => phpversion('asynctask') ?: '-',
    'iterations' => $iterations,
    'tasks'      => $tasks,
    'rounds'     => $rounds,
    'workers'    => $workers,
    'callable'   => $callable,
];
if ($json) {
    echo json_encode(['machine' => $machine, 'results' => $results], JSON_PRETTY_PRINT), "\n";
} else {
    print_table($machine, $results);
}
exit(0);

// --- asynctask -------------------------------------------------------------------

final class AsyncTaskPool
{
    private Closure|string $task;
    private array $args;
    /** @var float[] mean µs per dispatch() call, per throughput round */
    private array $dispatchUs = [];

    public function __construct(int $workers, string $kind)
    {
        $x = 1;
        // the task: a closure with one use variable, or a function by name with one argument
        [$this->task, $this->args] = $kind === 'closure'
            ? [static function () use ($x): int {
                return $x;
            }, []]
            : ['bench_noop', [1]];
        AsyncTask\Pool::start($workers);
    }

    public function roundTrip(): void
    {
        AsyncTask\dispatch($this->task, ...$this->args)->wait();
    }

    /** Dispatches $n tasks, then waits for all of them; returns the sum of the results. */
    public function throughput(int $n): int
    {
        $futures = [];
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) {
            $futures[] = AsyncTask\dispatch($this->task, ...$this->args);
        }
        $this->dispatchUs[] = (hrtime(true) - $t) / $n / 1000;
        return array_sum(AsyncTask\Future::all($futures));
    }

    public function extra(): array
    {
        $stats = AsyncTask\Pool::stats();
        sort($this->dispatchUs);
        return [
            // how long the caller spends in dispatch() during a throughput round (median round)
            'dispatch_us' => $this->dispatchUs[intdiv(count($this->dispatchUs), 2)],
            'completed'   => $stats['completed'],
            'failed'      => $stats['failed'],
        ];
    }

    public function close(): void
    {
        AsyncTask\Pool::stop();
    }
}

// --- baseline: a plain-PHP pre-forked pool -------------------------------------

final class BaselinePool
{
    /** @var resource[] */
    private array $sockets = [];
    /** @var int[] */
    private array $pids = [];
    private string $request;

    public function __construct(int $workers)
    {
        for ($w = 0; $w < $workers; $w++) {
            $pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
            if ($pair === false) {
                throw new RuntimeException('baseline: stream_socket_pair failed');
            }
            $pid = pcntl_fork();
            if ($pid < 0) {
                throw new RuntimeException('baseline: fork failed');
            }
            if ($pid === 0) {
                fclose($pair[0]);
                foreach ($this->sockets as $socket) {
                    fclose($socket);
                }
                self::serve($pair[1]);
                exit(0);
            }
            fclose($pair[1]);
            $this->sockets[$w] = $pair[0];
            $this->pids[] = $pid;
        }
        // what a caller would send: a function name and its arguments, serialized per call
        $this->request = 'bench_noop';
    }

    /** The worker loop: [function, args] in, serialize(result) out, until told to quit. */
    private static function serve($socket): void
    {
        while (($frame = self::readFrame($socket)) !== null) {
            [$function, $args] = unserialize($frame);
            if ($function === null) {
                return;
            }
            self::writeFrame($socket, serialize($function(...$args)));
        }
    }

    public function roundTrip(): void
    {
        self::writeFrame($this->sockets[0], serialize([$this->request, [1]]));
        unserialize(self::readFrame($this->sockets[0]));
    }

    /** Pipelined, round-robin, at most WINDOW frames in flight per worker. */
    public function throughput(int $n): int
    {
        $workers = count($this->sockets);
        $inFlight = array_fill(0, $workers, 0);
        $sum = 0;
        for ($i = 0; $i < $n; $i++) {
            $w = $i % $workers;
            if ($inFlight[$w] === WINDOW) {
                $sum += unserialize(self::readFrame($this->sockets[$w]));
                $inFlight[$w]--;
            }
            self::writeFrame($this->sockets[$w], serialize([$this->request, [1]]));
            $inFlight[$w]++;
        }
        foreach ($this->sockets as $w => $socket) {
            for (; $inFlight[$w] > 0; $inFlight[$w]--) {
                $sum += unserialize(self::readFrame($socket));
            }
        }
        return $sum;
    }

    public function extra(): array
    {
        return [];
    }

    public function close(): void
    {
        // a quit frame, not EOF: the asynctask processes forked later hold copies of these sockets
        foreach ($this->sockets as $socket) {
            self::writeFrame($socket, serialize([null, []]));
            fclose($socket);
        }
        foreach ($this->pids as $pid) {
            pcntl_waitpid($pid, $status);
        }
    }

    private static function writeFrame($socket, string $payload): void
    {
        $frame = pack('N', strlen($payload)) . $payload;
        $len = strlen($frame);
        for ($done = 0; $done < $len; $done += $n) {
            $n = fwrite($socket, $done === 0 ? $frame : substr($frame, $done));
            if ($n === false || $n === 0) {
                throw new RuntimeException('baseline: write failed');
            }
        }
    }

    private static function readExact($socket, int $len): ?string
    {
        $buf = '';
        while (strlen($buf) < $len) {
            $chunk = fread($socket, $len - strlen($buf));
            if ($chunk === false || $chunk === '') {
                if (feof($socket)) {
                    return null;
                }
                continue;
            }
            $buf .= $chunk;
        }
        return $buf;
    }

    private static function readFrame($socket): ?string
    {
        $header = self::readExact($socket, 4);
        return $header === null ? null : self::readExact($socket, unpack('N', $header)[1]);
    }
}

// --- reporting ----------------------------------------------------------------------

/** @param int[] $ns samples in nanoseconds; returns microseconds */
function percentiles(array $ns): array
{
    sort($ns);
    $n = count($ns);
    $at = static fn (float $q): float => $ns[min($n - 1, (int) floor($q * $n))] / 1000;
    return ['p50' => $at(0.50), 'p99' => $at(0.99), 'mean' => array_sum($ns) / $n / 1000];
}

function print_table(array $machine, array $results): void
{
    $a = $results['asynctask'] ?? null;
    $b = $results['baseline'] ?? null;
    $rows = [
        ['round-trip latency p50 (µs)', 'p50_us', '%.1f'],
        ['round-trip latency p99 (µs)', 'p99_us', '%.1f'],
        [sprintf('throughput, %d workers (tasks/s)', $machine['workers']), 'tasks_per_s', '%.0f'],
    ];
    printf("machine: %s, %d CPU(s); PHP %s; asynctask %s\n", $machine['cpu'], $machine['cpus'],
        $machine['php'], $machine['asynctask']);
    printf("asynctask task: %s; %d round trips after warm-up; throughput: median of %d rounds of %d tasks\n\n",
        describe($machine['callable']), $machine['iterations'], $machine['rounds'], $machine['tasks']);
    $format = "| %s | %12s | %12s | %18s |\n";
    printf($format, pad('metric', 34), 'asynctask', 'baseline', 'asynctask/baseline');
    printf("|%s|%s:|%s:|%s:|\n", str_repeat('-', 36), str_repeat('-', 13), str_repeat('-', 13), str_repeat('-', 19));
    foreach ($rows as [$label, $key, $fmt]) {
        $av = $a[$key] ?? null;
        $bv = $b[$key] ?? null;
        printf($format, pad($label, 34),
            $av === null ? '-' : sprintf($fmt, $av),
            $bv === null ? '-' : sprintf($fmt, $bv),
            ($av === null || $bv === null || $bv == 0) ? '-' : sprintf('%.2fx', $av / $bv));
    }
    echo "\nlatency: lower is better; throughput: higher is better\n";
}

/** str_pad by characters, not bytes (the labels hold a µ). */
function pad(string $s, int $width): string
{
    return $s . str_repeat(' ', max(0, $width - (int) preg_match_all('/./u', $s)));
}

function describe(string $callable): string
{
    return $callable === 'closure' ? 'a no-op closure with one use variable' : "the function 'bench_noop' by name";
}

function note(string $line): void
{
    fwrite(STDERR, $line . "\n");
}

function fail(string $message): never
{
    fwrite(STDERR, "bench: $message\n");
    exit(2);
}

function cpu_model(): string
{
    foreach (@file('/proc/cpuinfo') ?: [] as $line) {
        if (str_starts_with($line, 'model name')) {
            return trim(explode(':', $line, 2)[1]);
        }
    }
    return php_uname('m');
}

function cpu_count(): int
{
    $n = 0;
    foreach (@file('/proc/cpuinfo') ?: [] as $line) {
        if (str_starts_with($line, 'processor')) {
            $n++;
        }
    }
    return max(1, $n);
}
