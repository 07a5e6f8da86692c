<?php
/*
 * asynctask benchmark suite; run it through bench/run, which loads the module,
 * builds and runs bench/limit.c and passes its output with --limit=FILE.
 *
 *   php -n -d extension=asynctask.so bench/suite.php [--quick] [--limit=FILE] [--json]
 *
 * Measured side by side, 2 workers each, in one process:
 *   asynctask  AsyncTask\dispatch() of closures, Future::all(), AsyncTask\map()
 *   baseline   a plain-PHP pre-forked pool: one stream_socket_pair per worker,
 *              length-prefixed serialize() frames naming a function and its arguments
 *              (closures cannot travel this way); round trip: one frame at a time to
 *              worker 0; throughput: round-robin, up to WINDOW frames in flight per worker
 *   fork       pcntl_fork() + a socket pair per task, 2 children at a time
 *   proc_open  a `php -r` process per task (what spatie/async does), 2 at a time
 * Latency: percentiles of per-iteration hrtime() samples, warm-up excluded, taken in
 * blocks that alternate between asynctask and the baseline; throughput: tasks over the
 * wall time of a whole round, rounds alternating, the median round counts.
 */

declare(strict_types=1);

const DEFAULT_WORKERS = 2;
const WINDOW = 256;
const BLOCKS = 5;
// the load scenarios (see load_scenarios())
const LOAD_SCENARIOS = [
    'a' => 'a: one busy loop per CPU, free to move',
    'b' => 'b: a busy loop pinned to each CPU, the caller on the first',
    'c' => 'c: everything on one CPU, with one busy loop',
];

function bench_noop(int $x): int
{
    return $x;
}

function bench_len(string $s): int
{
    return strlen($s);
}

function bench_double(int $v): int
{
    return $v * 2;
}

function bench_echo(string $s): string
{
    return $s;
}

$options = getopt('', ['quick', 'ci', 'load', 'limit:', 'json', 'workers:', 'throughput', 'echo', 'fanout', 'rounds:']);
// --workers=N: workers on each side (default 2); --throughput / --echo: only the no-op throughput or
// the 1 MB echo, in --rounds=R interleaved rounds (default 5) with each round's ratio (bench/run --help)
$workers = (int) ($options['workers'] ?? DEFAULT_WORKERS);
if ($workers < 1 || $workers > 1024) {
    fail('--workers must be 1 to 1024');
}
define('WORKERS', $workers);
$focus = array_values(array_filter(['throughput', 'echo', 'fanout'], static fn ($k) => isset($options[$k])));
$focusRounds = max(1, (int) ($options['rounds'] ?? 5));
$ci = isset($options['ci']);           // --quick with fewer load rounds: CI's informational run
$quick = isset($options['quick']) || $ci;
$loadOnly = isset($options['load']);   // the load scenarios only
$json = isset($options['json']);
$limitFile = $options['limit'] ?? null;

// sizes of each measurement: default, --quick
$P = $quick ? [
    'rt' => 4000, 'warmup' => 300, 'dispatch' => 5000, 'tasks' => 30000, 'rounds' => 1,
    'payload' => [1024 => [10000, 0], 65536 => [1000, 0], 1048576 => [100, 60]],
    'map' => 100000, 'map_rounds' => 1, 'fork' => 500, 'proc' => 40, 'fanout' => 1000,
    'load_rounds' => $ci ? 3 : 5, 'load_rt' => 400, 'load_fanout' => 150, 'load_cap' => 0.4,
] : [
    'rt' => 20000, 'warmup' => 1000, 'dispatch' => 20000, 'tasks' => 100000, 'rounds' => 3,
    'payload' => [1024 => [50000, 0], 65536 => [5000, 0], 1048576 => [400, 300]],
    'map' => 100000, 'map_rounds' => 3, 'fork' => 2000, 'proc' => 200, 'fanout' => 5000,
    'load_rounds' => 7, 'load_rt' => 1500, 'load_fanout' => 500, 'load_cap' => 1.0,
];

if (!extension_loaded('asynctask')) {
    fail('the asynctask extension is not loaded: run bench/run, or php -d extension=/path/to/asynctask.so');
}
if (!function_exists('pcntl_fork')) {
    fail("the baseline needs pcntl (built into Debian's php-cli)");
}

$rows = [];
$notes = [];

// --- 1. a process per task, before any pool exists (their children copy nothing of a pool) ---
if (!$loadOnly && !$focus) {
    note('fork per task: ' . $P['fork'] . ' tasks, ' . WORKERS . ' at a time');
    $forkRate = fork_per_task($P['fork']);
    note('proc_open per task: ' . $P['proc'] . ' tasks, ' . WORKERS . ' at a time');
    $procRate = proc_per_task($P['proc']);
}

// --- 2. the two pools, up for the whole run; each idle while the other is measured ---
// the baseline is forked first: its workers must not be copies of a process that owns an asynctask pool
$base = new BaselinePool(WORKERS);
$async = new AsyncTaskPool(WORKERS);
$systems = ['asynctask' => $async, 'baseline' => $base];

if ($focus) {
    focus_rounds($systems, $focus, $focusRounds, $quick);
    $base->close();
    $async->close();
    exit(0);
}

if ($loadOnly) {
    $scenarios = load_scenarios($systems, $async, $base, $P);
    $base->close();
    $async->close();
    if ($json) {
        echo json_encode(['machine' => machine(), 'load' => $scenarios], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE), "\n";
        exit(0);
    }
    print_machine(machine(), $quick);
    print_load($scenarios, $P);
    exit(0);
}

// no-op round trip
note('round trip, no-op: ' . $P['rt'] . ' per system after ' . $P['warmup'] . ' of warm-up');
$lat = latency($systems, static fn ($s) => $s->noop(), $P['rt'], $P['warmup'], 1);
$idle = ['asynctask' => rss_kb_list($async->workerPids()), 'baseline' => rss_kb_list($base->workerPids())];
$managerRss = rss_kb($async->managerPid());

// dispatch() alone, in blocks of 1000: the queue (16 MB) never fills with 1000 small tasks
note('dispatch() alone: ' . $P['dispatch'] . ' calls in blocks of 1000');
$dispatchNs = $async->dispatchSamples($P['dispatch'], 1000);

$rssBefore = [
    'asynctask' => rss_kb_list($async->workerPids()), 'baseline' => rss_kb_list($base->workerPids()),
    'caller' => rss_kb(getmypid()),
];

// fire-and-forget throughput, no-op
note('throughput, no-op: ' . $P['rounds'] . ' round(s) of ' . $P['tasks'] . ' tasks per system');
$tp = rates($systems, static fn ($s, $n) => $s->batch($n, null), $P['tasks'], $P['rounds'], $P['tasks']);

// the same with 1 KB, 64 KB, 1 MB string arguments (random bytes), and the 1 MB round trip
$payloadRates = [];
$bigLatency = null;
foreach ($P['payload'] as $size => [$n, $rtN]) {
    $arg = random_bytes($size);
    note(sprintf('throughput, %s argument: %d tasks per system', human_size($size), $n));
    $payloadRates[$size] = rates($systems, static fn ($s, $k) => $s->batch($k, $arg), $n, $P['rounds'], $n * $size);
    if ($rtN > 0) {
        note(sprintf('round trip, %s argument: %d per system', human_size($size), $rtN));
        $bigLatency = latency($systems, static fn ($s) => $s->lengthOf($arg), $rtN, intdiv($rtN, 10), $size);
        $bigSize = $size;
    }
    unset($arg);
}

// map() over 100,000 items
note('map(): ' . $P['map'] . ' items, ' . $P['map_rounds'] . ' round(s) per system');
$items = range(1, $P['map']);
$expectedMap = array_sum($items) * 2;
$mapRates = rates($systems, static function ($s, $n) use ($items) {
    $out = $s->map($items);
    if (count($out) !== count($items) || $out[0] !== 2 || $out[count($items) - 1] !== 2 * count($items)) {
        throw new RuntimeException('map: wrong results');
    }
    return array_sum($out);
}, $P['map'], $P['map_rounds'], $expectedMap);
unset($items);

// fan-out: Future::all() of 8 no-op tasks; the baseline sends 8 frames round-robin, then reads 8
note('fan-out of 8: ' . $P['fanout'] . ' calls per system');
$fan = latency($systems, static fn ($s) => $s->fanout(8), $P['fanout'], intdiv($P['fanout'], 10), 8);

$rssAfter = [
    'asynctask' => rss_kb_list($async->workerPids()), 'baseline' => rss_kb_list($base->workerPids()),
    'caller' => rss_kb(getmypid()),
];
$privateAfter = [
    'asynctask' => array_map('private_rss_kb', $async->workerPids()),
    'baseline' => array_map('private_rss_kb', $base->workerPids()),
];

// the same round trip and fan-out with CPU-bound processes around (README: Benchmark)
$scenarios = load_scenarios($systems, $async, $base, $P);
$stats = $async->stats();
$base->close();
$async->close();

// --- the table ---
$d = percentiles($dispatchNs);
$row = static function (string $metric, ?float $a, ?float $b, string $fmt, ?string $target = null,
    ?Closure $met = null, bool $ratio = true) use (&$rows): void {
    $r = ($ratio && $a !== null && $b !== null && $b > 0) ? $a / $b : null;
    $rows[] = [
        'metric' => $metric,
        'asynctask' => $a === null ? '-' : sprintf($fmt, $a),
        'baseline' => $b === null ? '-' : sprintf($fmt, $b),
        'ratio' => $r === null ? '-' : sprintf('%.2f×', $r),
        'target' => $target ?? '',
        'met' => $met === null ? '' : ($met($a, $r) ? 'yes' : 'NO'),
        'raw' => ['asynctask' => $a, 'baseline' => $b, 'ratio' => $r],
    ];
};
$row('no-op round trip p50 (µs)', $lat['asynctask']['p50'], $lat['baseline']['p50'], '%.1f',
    '≤ 0.30×', static fn ($a, $r) => $r !== null && $r <= 0.30);
$row('no-op round trip p99 (µs)', $lat['asynctask']['p99'], $lat['baseline']['p99'], '%.1f');
$row(sprintf('no-op throughput, %d workers (tasks/s)', WORKERS), $tp['asynctask'], $tp['baseline'], '%.0f',
    '≥ 2×', static fn ($a, $r) => $r !== null && $r >= 2.0);
$row('fan-out of 8, Future::all() p50 (µs per call)', $fan['asynctask']['p50'], $fan['baseline']['p50'], '%.1f');
$row('dispatch() alone p50 (µs)', $d['p50'], null, '%.2f', '≤ 2 µs', static fn ($a) => $a <= 2.0);
$row('dispatch() alone p99 (µs)', $d['p99'], null, '%.2f');
foreach ($payloadRates as $size => $r) {
    $row(sprintf('%s-argument throughput (MB/s)', human_size($size)),
        $r['asynctask'] * $size / 1e6, $r['baseline'] * $size / 1e6, '%.0f');
}
if ($bigLatency !== null) {
    $row(sprintf('%s-argument round trip p50 (µs)', human_size($bigSize)),
        $bigLatency['asynctask']['p50'], $bigLatency['baseline']['p50'], '%.0f');
    $row(sprintf('%s-argument round trip, effective (GB/s)', human_size($bigSize)),
        $bigSize / $bigLatency['asynctask']['p50'] / 1e3, $bigSize / $bigLatency['baseline']['p50'] / 1e3, '%.2f',
        '≥ 1 GB/s', static fn ($a) => $a >= 1.0);
}
$row(sprintf('map() of %s items (items/s)', number_format($P['map'])), $mapRates['asynctask'], $mapRates['baseline'], '%.0f');
$row('no-op tasks/s: vs fork per task (pcntl_fork)', $tp['asynctask'], $forkRate, '%.0f');
$row('no-op tasks/s: vs proc_open(php) per task', $tp['asynctask'], $procRate, '%.0f');
$row('idle RSS per worker (MB, mean)', mean($idle['asynctask']) / 1024, mean($idle['baseline']) / 1024, '%.1f');
$row('worker RSS before the throughput runs (MB)', mean($rssBefore['asynctask']) / 1024, mean($rssBefore['baseline']) / 1024, '%.1f');
$row('worker RSS after the throughput runs (MB)', mean($rssAfter['asynctask']) / 1024, mean($rssAfter['baseline']) / 1024, '%.1f',
    'flat: see tests/integration/stress');
$row('worker private RSS after the throughput runs (MB; VmRSS less the shared ring)', mean($privateAfter['asynctask']) / 1024,
    mean($privateAfter['baseline']) / 1024, '%.1f', '≤ 1.3×', static fn ($a, $r) => $r !== null && $r <= 1.3);

$limit = $limitFile !== null ? parse_limit($limitFile) : [];
$machine = machine();
$notes[] = sprintf('asynctask manager RSS %.1f MB; caller RSS %.1f MB before the throughput runs, %.1f MB after',
    $managerRss / 1024, $rssBefore['caller'] / 1024, $rssAfter['caller'] / 1024);
$notes[] = sprintf('asynctask stats at the end: dispatched %d, completed %d, failed %d, crashed %d, respawned %d',
    $stats['dispatched'] ?? -1, $stats['completed'] ?? -1, $stats['failed'] ?? -1, $stats['crashed'] ?? -1,
    $stats['respawned'] ?? -1);
$notes[] = sprintf('throughput rounds (tasks/s): asynctask %s; baseline %s',
    implode(' / ', array_map('intval', $tp['rounds']['asynctask'])),
    implode(' / ', array_map('intval', $tp['rounds']['baseline'])));
$notes[] = sprintf('round trip mean (µs): asynctask %.1f, baseline %.1f; dispatch() mean %.2f µs',
    $lat['asynctask']['mean'], $lat['baseline']['mean'], $d['mean']);

if ($json) {
    echo json_encode(['machine' => $machine, 'rows' => $rows, 'load' => $scenarios, 'limit' => $limit, 'notes' => $notes],
        JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE), "\n";
    exit(0);
}
print_report($machine, $P, $rows, $limit, $notes, $quick);
print_load($scenarios, $P);
exit(0);

// --- asynctask ------------------------------------------------------------------------

final class AsyncTaskPool
{
    private Closure $noop;
    private Closure $len;
    private Closure $double;
    private Closure $echo;

    public function __construct(int $workers)
    {
        $x = 1;
        $this->noop = static function () use ($x): int {
            return $x;
        };
        $this->len = static function (string $s): int {
            return strlen($s);
        };
        $this->double = static fn (int $v): int => $v * 2;
        $this->echo = static fn (string $s): string => $s;
        AsyncTask\Pool::start($workers);
    }

    public function noop(): int
    {
        return AsyncTask\dispatch($this->noop)->wait();
    }

    public function lengthOf(string $arg): int
    {
        return AsyncTask\dispatch($this->len, $arg)->wait();
    }

    public function echo(string $arg): string
    {
        return AsyncTask\dispatch($this->echo, $arg)->wait();
    }

    /** Fire and forget: dispatch $n tasks, then collect every result; returns their sum. */
    public function batch(int $n, ?string $arg): int
    {
        $futures = [];
        if ($arg === null) {
            for ($i = 0; $i < $n; $i++) {
                $futures[] = AsyncTask\dispatch($this->noop);
            }
        } else {
            for ($i = 0; $i < $n; $i++) {
                $futures[] = AsyncTask\dispatch($this->len, $arg);
            }
        }
        return array_sum(AsyncTask\Future::all($futures));
    }

    public function map(array $items): array
    {
        return AsyncTask\map($this->double, $items);
    }

    /** Future::all() of $n no-op tasks; returns the sum of their results ($n). */
    public function fanout(int $n): int
    {
        $futures = [];
        for ($i = 0; $i < $n; $i++) {
            $futures[] = AsyncTask\dispatch($this->noop);
        }
        return array_sum(AsyncTask\Future::all($futures));
    }

    /** @return int[] ns per dispatch() call, timed one by one, in blocks of $block then collected */
    public function dispatchSamples(int $n, int $block): array
    {
        $ns = [];
        $f = [];
        for ($i = 0; $i < 200; $i++) { // warm-up
            $f[] = AsyncTask\dispatch($this->noop);
        }
        AsyncTask\Future::all($f);
        for ($done = 0; $done < $n; $done += $block) {
            $futures = [];
            for ($i = 0; $i < $block; $i++) {
                $t = hrtime(true);
                $futures[] = AsyncTask\dispatch($this->noop);
                $ns[] = hrtime(true) - $t;
            }
            if (array_sum(AsyncTask\Future::all($futures)) !== $block) {
                throw new RuntimeException('asynctask: wrong results');
            }
        }
        return $ns;
    }

    public function workerPids(): array
    {
        return AsyncTask\Pool::stats()['worker_pids'] ?? [];
    }

    public function managerPid(): int
    {
        return AsyncTask\Pool::stats()['manager_pid'] ?? 0;
    }

    public function stats(): array
    {
        return AsyncTask\Pool::stats();
    }

    public function close(): void
    {
        AsyncTask\Pool::stop();
    }
}

// --- baseline: a plain-PHP pre-forked pool ---------------------------------------------

final class BaselinePool
{
    /** @var resource[] */
    private array $sockets = [];
    /** @var int[] */
    private array $pids = [];

    public function __construct(int $workers)
    {
        for ($w = 0; $w < $workers; $w++) {
            $pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
            if ($pair === false) {
                throw new RuntimeException('baseline: stream_socket_pair failed');
            }
            // 1 MB reads and writes instead of PHP's 8 KB: 4x faster with 1 MB arguments, same for small ones
            stream_set_chunk_size($pair[0], 1 << 20);
            stream_set_chunk_size($pair[1], 1 << 20);
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

    private function call(string $function, array $args): mixed
    {
        self::writeFrame($this->sockets[0], serialize([$function, $args]));
        return unserialize(self::readFrame($this->sockets[0]));
    }

    public function noop(): int
    {
        return $this->call('bench_noop', [1]);
    }

    public function lengthOf(string $arg): int
    {
        return $this->call('bench_len', [$arg]);
    }

    public function echo(string $arg): string
    {
        return $this->call('bench_echo', [$arg]);
    }

    public function batch(int $n, ?string $arg): int
    {
        [$function, $args] = $arg === null ? ['bench_noop', [1]] : ['bench_len', [$arg]];
        return array_sum($this->pipeline($function, array_fill(0, $n, $args)));
    }

    public function map(array $items): array
    {
        return $this->pipeline('bench_double', array_map(static fn ($v) => [$v], $items));
    }

    /** $n frames round-robin over the workers, then their $n replies. */
    public function fanout(int $n): int
    {
        return array_sum($this->pipeline('bench_noop', array_fill(0, $n, [1])));
    }

    /**
     * Round-robin over the workers, at most WINDOW frames in flight per worker; each
     * worker answers in order, so a FIFO of keys per worker puts each result in its place.
     */
    private function pipeline(string $function, array $argLists): array
    {
        $workers = count($this->sockets);
        $pending = array_fill(0, $workers, []);
        $head = array_fill(0, $workers, 0);
        $results = [];
        $i = 0;
        foreach ($argLists as $key => $args) {
            $w = $i++ % $workers;
            if (count($pending[$w]) - $head[$w] === WINDOW) {
                $results[$pending[$w][$head[$w]++]] = unserialize(self::readFrame($this->sockets[$w]));
            }
            self::writeFrame($this->sockets[$w], serialize([$function, $args]));
            $pending[$w][] = $key;
        }
        foreach ($this->sockets as $w => $socket) {
            while ($head[$w] < count($pending[$w])) {
                $results[$pending[$w][$head[$w]++]] = unserialize(self::readFrame($socket));
            }
        }
        if (count($results) !== count($argLists)) {
            throw new RuntimeException('baseline: results missing');
        }
        $ordered = [];
        foreach ($argLists as $key => $_) {
            $ordered[$key] = $results[$key];
        }
        return $ordered;
    }

    public function workerPids(): array
    {
        return $this->pids;
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

    public static function writeFrame($socket, string $payload): void
    {
        if (strlen($payload) > 65536) {
            // no copy of a large payload just to put 4 bytes in front of it
            self::writeAll($socket, pack('N', strlen($payload)));
            self::writeAll($socket, $payload);
        } else {
            self::writeAll($socket, pack('N', strlen($payload)) . $payload);
        }
    }

    private static function writeAll($socket, string $frame): void
    {
        $len = strlen($frame);
        for ($done = 0; $done < $len; $done += $n) {
            $n = fwrite($socket, $done === 0 ? $frame : substr($frame, $done));
            if ($n === false || $n === 0) {
                throw new RuntimeException('baseline: write failed');
            }
        }
    }

    public static function readExact($socket, int $len): ?string
    {
        $buf = fread($socket, $len);
        if ($buf === false) {
            return null;
        }
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

    public static function readFrame($socket): ?string
    {
        $header = self::readExact($socket, 4);
        return $header === null || strlen($header) < 4 ? null : self::readExact($socket, unpack('N', $header)[1]);
    }
}

// --- a process per task -------------------------------------------------------------------

/**
 * Runs n tasks, WORKERS at a time: start() launches one and returns what reap() needs to
 * collect its result (an int) and end it, oldest first. Returns tasks/s; checks the results.
 */
function per_task_rate(string $what, int $n, callable $start, callable $reap): float
{
    $running = [];
    $sum = 0;
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        if (count($running) === WORKERS) {
            $sum += $reap(array_shift($running));
        }
        $running[] = $start();
    }
    while ($running) {
        $sum += $reap(array_shift($running));
    }
    $rate = $n / ((hrtime(true) - $t) / 1e9);
    if ($sum !== $n) {
        throw new RuntimeException("$what: wrong results ($sum, expected $n)");
    }
    return $rate;
}

/** pcntl_fork() per task, the result back through a socket pair; WORKERS children at a time. */
function fork_per_task(int $n): float
{
    return per_task_rate('fork per task', $n, static function (): array {
        $pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $pid = pcntl_fork();
        if ($pid < 0) {
            throw new RuntimeException('fork failed');
        }
        if ($pid === 0) {
            fclose($pair[0]);
            fwrite($pair[1], serialize(bench_noop(1)));
            exit(0);
        }
        fclose($pair[1]);
        return [$pid, $pair[0]];
    }, static function (array $child): int {
        [$pid, $socket] = $child;
        $result = unserialize(stream_get_contents($socket));
        fclose($socket);
        pcntl_waitpid($pid, $status);
        return $result;
    });
}

/**
 * A `php -r` process per task, as spatie/async does (the task serialized on the command
 * line, the result on stdout); the system php.ini, as such a library gets it; WORKERS at a time.
 */
function proc_per_task(int $n): float
{
    $code = 'echo serialize((function (int $x): int { return $x; })(...unserialize(base64_decode($argv[1]))));';
    $task = base64_encode(serialize([1]));
    return per_task_rate('proc_open per task', $n, static function () use ($code, $task): array {
        $proc = proc_open([PHP_BINARY, '-r', $code, $task], [1 => ['pipe', 'w']], $pipes);
        if ($proc === false) {
            throw new RuntimeException('proc_open failed');
        }
        return [$proc, $pipes[1]];
    }, static function (array $child): int {
        [$proc, $stdout] = $child;
        $result = unserialize(stream_get_contents($stdout));
        fclose($stdout);
        if (proc_close($proc) !== 0) {
            throw new RuntimeException('proc_open per task: the child failed');
        }
        return $result;
    });
}

// --- measuring ----------------------------------------------------------------------------

/**
 * Warm-up, then $n samples per system in BLOCKS blocks alternating between the systems.
 * $check: what each call must return.
 * @return array<string, array{p50: float, p99: float, mean: float}> µs
 */
function latency(array $systems, Closure $call, int $n, int $warmup, int $check): array
{
    foreach ($systems as $name => $s) {
        for ($i = 0; $i < $warmup; $i++) {
            if ($call($s) !== $check) {
                throw new RuntimeException("$name: wrong result");
            }
        }
    }
    $samples = array_fill_keys(array_keys($systems), []);
    $per = (int) ceil($n / BLOCKS);
    for ($b = 0; $b < BLOCKS; $b++) {
        foreach ($systems as $name => $s) {
            $k = min($per, $n - $b * $per);
            for ($i = 0; $i < $k; $i++) {
                $t = hrtime(true);
                $r = $call($s);
                $samples[$name][] = hrtime(true) - $t;
                if ($r !== $check) {
                    throw new RuntimeException("$name: wrong result");
                }
            }
        }
    }
    return array_map('percentiles', $samples);
}

/**
 * $rounds rounds of $n tasks per system, alternating; $call returns a sum that must equal
 * $expected. @return array: system => median tasks/s, plus 'rounds' => system => rates
 */
function rates(array $systems, Closure $call, int $n, int $rounds, int $expected): array
{
    $all = array_fill_keys(array_keys($systems), []);
    for ($r = 0; $r < $rounds; $r++) {
        foreach ($systems as $name => $s) {
            $t = hrtime(true);
            $sum = $call($s, $n);
            $all[$name][] = $n / ((hrtime(true) - $t) / 1e9);
            if ($sum !== $expected) {
                throw new RuntimeException("$name: wrong results ($sum, expected $expected)");
            }
        }
    }
    $out = ['rounds' => $all];
    foreach ($all as $name => $list) {
        sort($list);
        $out[$name] = $list[intdiv(count($list), 2)];
    }
    return $out;
}

/** @param int[] $ns samples in nanoseconds; returns microseconds */
function percentiles(array $ns): array
{
    sort($ns);
    $n = count($ns);
    $at = static fn (float $q): float => $ns[min($n - 1, (int) floor($q * $n))] / 1000;
    return ['p50' => $at(0.50), 'p99' => $at(0.99), 'mean' => array_sum($ns) / $n / 1000];
}

function rss_kb(int $pid): int
{
    $status = @file_get_contents("/proc/$pid/status");
    return ($status !== false && preg_match('/^VmRSS:\s+(\d+)\s+kB/m', $status, $m)) ? (int) $m[1] : 0;
}

/** @return int[] */
function rss_kb_list(array $pids): array
{
    return array_map('rss_kb', $pids);
}

/** A process's own resident memory: VmRSS less RssShmem, the pages of shared memory it has touched
 * (asynctask's region: every process of a pool maps the same ring, so VmRSS counts its pages once in
 * each of them, however many processes share them). */
function private_rss_kb(int $pid): int
{
    $status = @file_get_contents("/proc/$pid/status");
    if ($status === false || !preg_match('/^VmRSS:\s+(\d+)\s+kB/m', $status, $rss)) {
        return 0;
    }
    $shmem = preg_match('/^RssShmem:\s+(\d+)\s+kB/m', $status, $m) ? (int) $m[1] : 0;
    return (int) $rss[1] - $shmem;
}

function mean(array $v): float
{
    return $v ? array_sum($v) / count($v) : 0.0;
}

// --- under load -----------------------------------------------------------------------------
//
// Each scenario starts its own CPU-bound processes (`php -n -r 'for (;;);'`) and stops them
// when it ends; affinity is set with taskset(1) and put back afterwards:
//   a  one busy loop per CPU, free to move
//   b  one busy loop pinned to each CPU, this process (the caller) pinned to the first CPU;
//      the pools' workers free to move
//   c  every process on the first CPU: the caller, both pools' processes and one busy loop
// A round: the load starts, the no-op round trip and the fan-out of 8 are sampled in blocks
// alternating between the two pools (at most load_rt / load_fanout samples, load_cap seconds,
// per system), the load stops. The ratio is asynctask's p50 over the baseline's in the same
// round; min / median / max over the rounds.

/** The CPUs this process may run on (its affinity mask), from /proc/self/status. */
function allowed_cpus(int $pid = 0): array
{
    $status = (string) @file_get_contents('/proc/' . ($pid ?: 'self') . '/status');
    if (!preg_match('/^Cpus_allowed_list:\s*(\S+)/m', $status, $m)) {
        return [0];
    }
    $cpus = [];
    foreach (explode(',', $m[1]) as $range) {
        [$lo, $hi] = array_map('intval', explode('-', $range) + [1 => $range]);
        for ($c = $lo; $c <= $hi; $c++) {
            $cpus[] = $c;
        }
    }
    return $cpus;
}

/** Sets the affinity of $pids to the CPU list $cpus (taskset -a: every thread). */
function pin(array $pids, array $cpus): void
{
    foreach ($pids as $pid) {
        exec(sprintf('taskset -a -p -c %s %d 2>&1', implode(',', $cpus), $pid), $out, $rc);
        if ($rc !== 0) {
            throw new RuntimeException("taskset -p -c " . implode(',', $cpus) . " $pid failed: " . implode("\n", $out));
        }
    }
}

/** Starts a busy loop (on $cpu, or free to move when null); returns its process. */
function busy_loop(?int $cpu)
{
    // a minute of CPU at most: never left behind should this script die
    $cmd = [PHP_BINARY, '-n', '-d', 'max_execution_time=60', '-r', 'for (;;);'];
    if ($cpu !== null) {
        $cmd = ['taskset', '-c', (string) $cpu, ...$cmd];
    }
    $proc = proc_open($cmd, [], $pipes);
    if ($proc === false) {
        throw new RuntimeException('cannot start a busy loop');
    }
    return $proc;
}

function stop_busy_loops(array $procs): void
{
    foreach ($procs as $proc) {
        proc_terminate($proc, SIGKILL);
        proc_close($proc);
    }
}

/**
 * Up to $n samples of $call per system (µs), in blocks alternating between the systems, each
 * system's total time bounded by about $cap seconds. @return array<string, float[]>
 */
function capped_samples(array $systems, Closure $call, int $n, float $cap, int $check): array
{
    $blocks = 5;
    $samples = array_fill_keys(array_keys($systems), []);
    for ($b = 0; $b < $blocks; $b++) {
        foreach ($systems as $name => $s) {
            $until = hrtime(true) + (int) ($cap / $blocks * 1e9);
            for ($i = 0; $i < intdiv($n, $blocks); $i++) {
                $t = hrtime(true);
                $r = $call($s);
                $samples[$name][] = (hrtime(true) - $t) / 1000;
                if ($r !== $check) {
                    throw new RuntimeException("$name: wrong result under load");
                }
                if ($t > $until) {
                    break;
                }
            }
        }
    }
    return $samples;
}

function median(array $v): float
{
    sort($v);
    return $v[intdiv(count($v), 2)];
}

/**
 * Every scenario, load_rounds rounds each, interleaved (a, b, c, a, b, c, ...).
 * @return array scenario => metric => [asynctask => p50s, baseline => p50s, ratio => per round]
 */
function load_scenarios(array $systems, AsyncTaskPool $async, BaselinePool $base, array $P): array
{
    $cpus = allowed_cpus();
    $me = getmypid();
    $pools = [...$async->workerPids(), $async->managerPid(), ...$base->workerPids()];
    $out = [];
    note(sprintf('under load: scenarios %s, %d rounds each, on CPUs %s', implode(', ', array_keys(LOAD_SCENARIOS)),
        $P['load_rounds'], implode(',', $cpus)));
    for ($round = 0; $round < $P['load_rounds']; $round++) {
        foreach (array_keys(LOAD_SCENARIOS) as $scenario) {
            $procs = [];
            try {
                switch ($scenario) {
                    case 'a':
                        foreach ($cpus as $_) {
                            $procs[] = busy_loop(null);
                        }
                        break;
                    case 'b':
                        foreach ($cpus as $cpu) {
                            $procs[] = busy_loop($cpu);
                        }
                        pin([$me], [$cpus[0]]);
                        break;
                    case 'c':
                        $procs[] = busy_loop($cpus[0]);
                        pin([$me, ...$pools], [$cpus[0]]);
                        break;
                }
                usleep(100000);  // the busy loops are spinning by now
                $rt = capped_samples($systems, static fn ($s) => $s->noop(), $P['load_rt'], $P['load_cap'], 1);
                $fan = capped_samples($systems, static fn ($s) => $s->fanout(8), $P['load_fanout'], $P['load_cap'], 8);
            } finally {
                stop_busy_loops($procs);
                pin([$me, ...$pools], $cpus);
            }
            foreach (['rt' => $rt, 'fanout' => $fan] as $metric => $samples) {
                $a = median($samples['asynctask']);
                $b = median($samples['baseline']);
                $out[$scenario][$metric]['asynctask'][] = $a;
                $out[$scenario][$metric]['baseline'][] = $b;
                $out[$scenario][$metric]['ratio'][] = $a / $b;
                $out[$scenario][$metric]['samples'][] = count($samples['asynctask']);
            }
        }
    }
    return $out;
}

function print_load(array $scenarios, array $P): void
{
    printf("\nunder load (%d rounds per scenario, interleaved; p50 per round; ratio = asynctask / baseline in the same round)\n",
        $P['load_rounds']);
    $lines = [];
    foreach ($scenarios as $scenario => $metrics) {
        foreach ($metrics as $metric => $m) {
            $r = $m['ratio'];
            $ok = median($r) <= 1.0 && max($r) <= 3.0;
            $lines[] = [
                LOAD_SCENARIOS[$scenario], $metric === 'rt' ? 'no-op round trip' : 'fan-out of 8',
                sprintf('%.1f', median($m['asynctask'])), sprintf('%.1f', median($m['baseline'])),
                sprintf('%.2f× / %.2f× / %.2f×', min($r), median($r), max($r)),
                '≤ 1.0×, none > 3×', $ok ? 'yes' : 'NO',
            ];
        }
    }
    print_table(['scenario', 'metric', 'asynctask µs', 'baseline µs', 'ratio min / median / max', 'target', 'met?'],
        $lines, [false, false, true, true, true, false, false]);
    echo "µs: the median over the rounds of each round's p50\n";
}

// --- focused runs: --throughput, --echo ------------------------------------------------------

/**
 * Interleaved rounds of only the asked measurements, each round's ratio in the same round:
 * on a noisy machine compare builds by these ratios, min / median / max.
 * throughput: $P['tasks'] no-op tasks dispatched, then Future::all() (the baseline pipelines);
 * echo: 1 MiB argument, 1 MiB result, one at a time; MB/s = 2 MiB moved / p50 of the round.
 */
function focus_rounds(array $systems, array $focus, int $rounds, bool $quick): void
{
    $tasks = $quick ? 30000 : 100000;
    $echoN = $quick ? 40 : 150;
    $arg = random_bytes(1 << 20);
    $out = [];
    for ($r = 0; $r < $rounds; $r++) {
        if (in_array('throughput', $focus, true)) {
            $tp = rates($systems, static fn ($s, $n) => $s->batch($n, null), $tasks, 1, $tasks);
            $out['throughput'][] = ['asynctask' => $tp['asynctask'], 'baseline' => $tp['baseline']];
        }
        if (in_array('echo', $focus, true)) {
            $lat = latency($systems, static fn ($s) => strlen($s->echo($arg)), $echoN, intdiv($echoN, 10), 1 << 20);
            $mbs = static fn ($p50) => 2 * (1 << 20) / $p50;  // bytes per µs = MB/s
            $out['echo'][] = ['asynctask' => $mbs($lat['asynctask']['p50']), 'baseline' => $mbs($lat['baseline']['p50'])];
        }
        if (in_array('fanout', $focus, true)) {
            $n = $quick ? 1000 : 3000;
            $lat = latency($systems, static fn ($s) => $s->fanout(8), $n, intdiv($n, 10), 8);
            $out['fanout'][] = ['asynctask' => $lat['asynctask']['p50'], 'baseline' => $lat['baseline']['p50']];
        }
    }
    print_machine(machine(), $quick);
    $labels = ['throughput' => sprintf('no-op throughput, %d workers (tasks/s)', WORKERS),
        'echo' => '1 MiB echo round trip (MB/s: 2 MiB / p50)', 'fanout' => 'fan-out of 8, Future::all() p50 (µs)'];
    $lines = [];
    $stat = static function (array $v): string {
        sort($v);
        return sprintf('%.1f / %.1f / %.1f', $v[0], median($v), $v[count($v) - 1]);
    };
    foreach ($out as $what => $list) {
        $a = array_column($list, 'asynctask');
        $b = array_column($list, 'baseline');
        $ratios = array_map(static fn ($x) => $x['asynctask'] / $x['baseline'], $list);
        sort($ratios);
        $lines[] = [$labels[$what], $stat($a), $stat($b), sprintf('%.2f× / %.2f× / %.2f×', $ratios[0], median($ratios),
            $ratios[count($ratios) - 1])];
    }
    printf("%d interleaved rounds; min / median / max over the rounds; ratio = asynctask / baseline in the same round\n",
        $rounds);
    print_table(['metric', 'asynctask', 'baseline', 'ratio'], $lines, [false, true, true, true]);
    foreach ($out as $what => $list) {
        printf("%s rounds: asynctask %s; baseline %s\n", $what,
            implode(' / ', array_map(static fn ($x) => sprintf('%.1f', $x['asynctask']), $list)),
            implode(' / ', array_map(static fn ($x) => sprintf('%.1f', $x['baseline']), $list)));
    }
}

// --- reporting ----------------------------------------------------------------------------

function machine(): array
{
    $cpu = php_uname('m');
    $cores = 0;
    foreach (@file('/proc/cpuinfo') ?: [] as $line) {
        if (str_starts_with($line, 'model name') && $cpu === php_uname('m')) {
            $cpu = trim(explode(':', $line, 2)[1]);
        }
        if (str_starts_with($line, 'processor')) {
            $cores++;
        }
    }
    $opcache = function_exists('opcache_get_status') && (opcache_get_status(false)['opcache_enabled'] ?? false);
    $jit = $opcache && (opcache_get_status(false)['jit']['on'] ?? false);
    $module = '?';
    foreach (@file('/proc/self/maps', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        if (preg_match('~(/\S*asynctask\.so)$~', $line, $m)) {
            $module = $m[1];
            break;
        }
    }
    $mem = preg_match('/^MemTotal:\s+(\d+)/m', (string) @file_get_contents('/proc/meminfo'), $m) ? (int) $m[1] : 0;
    return [
        'cpu' => $cpu, 'cores' => max(1, $cores), 'memory_gib' => round($mem / 1048576),
        'kernel' => php_uname('r'), 'php' => PHP_VERSION,
        'opcache' => $opcache ? ($jit ? 'on (JIT on)' : 'on (JIT off)') : 'off',
        'asynctask' => phpversion('asynctask') ?: '?', 'module' => $module, 'date' => date('Y-m-d H:i T'),
        'load' => implode(' ', array_map(static fn ($l) => sprintf('%.2f', $l), sys_getloadavg() ?: [])),
    ];
}

function parse_limit(string $file): array
{
    $modes = [];
    foreach (@file($file, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        if (!str_starts_with($line, 'mode=')) {
            continue;
        }
        $fields = [];
        foreach (explode(' ', $line) as $pair) {
            [$k, $v] = explode('=', $pair, 2) + [1 => ''];
            $fields[$k] = $v;
        }
        $modes[$fields['mode']] = $fields;
    }
    return $modes;
}

function print_machine(array $m, bool $quick): void
{
    printf("machine: %s, %d cores, %d GiB; Linux %s; PHP %s, opcache %s; asynctask %s (%s)\n",
        $m['cpu'], $m['cores'], $m['memory_gib'], $m['kernel'], $m['php'], $m['opcache'], $m['asynctask'], $m['module']);
    printf("date: %s; load average at the end %s; %s mode; %d workers for asynctask and the baseline\n\n",
        $m['date'], $m['load'], $quick ? 'quick' : 'default', WORKERS);
}

function print_report(array $m, array $P, array $rows, array $limit, array $notes, bool $quick): void
{
    print_machine($m, $quick);

    print_table(['metric', 'asynctask', 'baseline', 'ratio', 'target', 'met?'], array_map(
        static fn ($r) => [$r['metric'], $r['asynctask'], $r['baseline'], $r['ratio'], $r['target'], $r['met']], $rows),
        [false, true, true, true, false, false]);
    echo "\nratio = asynctask / baseline; in the fork and proc_open rows, the baseline column is that method's tasks/s.\n";
    foreach ($notes as $n) {
        echo "$n\n";
    }

    if ($limit) {
        echo "\nlimit (bench/limit.c, cc -O2): round trip of a 16-byte message between two processes\n";
        $labels = [
            'pipe' => 'pipe, not pinned',
            'futex-sleep' => 'futex, waiter sleeps, not pinned',
            'futex-1core' => 'futex, waiter sleeps, one core',
            'spin-futex' => 'spin then futex, separate cores',
        ];
        $lines = [];
        foreach ($limit as $mode => $f) {
            $how = '';
            if (isset($f['slept_pct'])) {
                $how = (int) $f['spins'] > 0
                    ? sprintf('spun %s, slept %s; child: spun %s, slept %s', $f['spun'], $f['sleeps'],
                        $f['child_spun'], $f['child_sleeps'])
                    : sprintf('slept in %s%% (%s stale); child: %s%% (%s stale)', $f['slept_pct'], $f['stale'],
                        $f['child_slept_pct'], $f['child_stale']);
            }
            $lines[] = [$labels[$mode] ?? $mode, $f['p50_us'], $f['p99_us'], $how];
        }
        print_table(['mode', 'p50 µs', 'p99 µs', 'round trips whose wait for the reply really slept'], $lines,
            [false, true, true, false]);
    }
}

/** A Markdown table; $right[i]: right-align column i. */
function print_table(array $head, array $lines, array $right): void
{
    $width = array_map('width', $head);
    foreach ($lines as $cells) {
        foreach ($cells as $i => $c) {
            $width[$i] = max($width[$i], width((string) $c));
        }
    }
    $line = static function (array $cells) use ($width, $right): string {
        $out = '|';
        foreach ($cells as $i => $c) {
            $pad = str_repeat(' ', $width[$i] - width((string) $c));
            $out .= ' ' . ($right[$i] ? $pad . $c : $c . $pad) . ' |';
        }
        return $out . "\n";
    };
    echo $line($head);
    $sep = '|';
    foreach ($width as $i => $w) {
        $sep .= $right[$i] ? str_repeat('-', $w + 1) . ':|' : str_repeat('-', $w + 2) . '|';
    }
    echo $sep, "\n";
    foreach ($lines as $cells) {
        echo $line($cells);
    }
}

/** Display width: characters, not bytes (µ, ≤, ×). */
function width(string $s): int
{
    return (int) preg_match_all('/./u', $s);
}

function human_size(int $bytes): string
{
    return $bytes >= 1048576 ? ($bytes / 1048576) . ' MB' : ($bytes / 1024) . ' KB';
}

function note(string $line): void
{
    fwrite(STDERR, '  ' . $line . "\n");
}

function fail(string $message): never
{
    fwrite(STDERR, "bench: $message\n");
    exit(2);
}
