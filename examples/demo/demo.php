<?php
/*
 * asynctask demo: fan a real workload out over the task pool.
 *
 * It writes a few hundred files of generated log-like data to a temporary
 * directory, then for every file computes
 *   - the SHA-256 of its contents,
 *   - its size compressed with zlib at level 9,
 *   - a key derived from the digest with PBKDF2-SHA256 (CPU-heavy on purpose),
 * once in parallel on the pool (one task per file, live progress line) and once
 * serially in this process, checks that both runs agree and prints a summary.
 *
 *   php -d extension=modules/asynctask.so examples/demo/demo.php [options]
 *     --files=N        number of files              (default 400)
 *     --size=KIB       size of each file in KiB     (default 64)
 *     --rounds=N       PBKDF2 iterations per file   (default 5000)
 *     --workers=N      task workers                 (default asynctask.workers: one per CPU)
 *     --keep           keep the generated files
 */

declare(strict_types=1);

use AsyncTask\Future;
use AsyncTask\Pool;

if (!extension_loaded('asynctask')) {
    fwrite(STDERR, "the asynctask extension is not loaded: run with php -d extension=/path/to/asynctask.so\n");
    exit(1);
}

$options = getopt('', ['files:', 'size:', 'rounds:', 'workers:', 'keep', 'help']);
if (isset($options['help'])) {
    fwrite(STDOUT, "usage: php examples/demo/demo.php [--files=N] [--size=KIB] [--rounds=N] [--workers=N] [--keep]\n");
    exit(0);
}
$files   = max(1, (int) ($options['files'] ?? 400));
$sizeKiB = max(1, (int) ($options['size'] ?? 64));
$rounds  = max(1, (int) ($options['rounds'] ?? 5000));
$workers = isset($options['workers']) ? max(1, (int) $options['workers']) : null;
$keep    = isset($options['keep']);
$tty     = stream_isatty(STDOUT);

/*
 * The work done for one file. This closure is what travels to the workers: by
 * code reference (this file, its fingerprint, the closure's position in it) plus
 * its `use` variables. The worker compiles this file without running it, so the
 * top-level code of the demo does not run again in the workers.
 */
$analyse = static function (string $path) use ($rounds): array {
    $data = file_get_contents($path);
    if ($data === false) {
        throw new RuntimeException("cannot read $path");
    }
    $digest = hash('sha256', $data);
    return [
        'sha256'     => $digest,
        'bytes'      => strlen($data),
        'compressed' => strlen(gzcompress($data, 9)),
        'key'        => hash_pbkdf2('sha256', $digest, basename($path), $rounds, 32),
        'pid'        => getmypid(),
    ];
};

// --- 1. the data set ------------------------------------------------------

$dir = sys_get_temp_dir() . '/asynctask-demo-' . getmypid();
if (!mkdir($dir, 0700)) {
    fwrite(STDERR, "cannot create $dir\n");
    exit(1);
}
register_shutdown_function(static function () use ($dir, $keep): void {
    if ($keep || !is_dir($dir)) {
        return;
    }
    array_map('unlink', glob("$dir/*") ?: []);
    rmdir($dir);
});

printf("asynctask demo: PHP %s, asynctask %s, %d CPU(s)\n",
    PHP_VERSION, phpversion('asynctask'), cpu_count());
printf("generating %d files of %d KiB in %s ...\n", $files, $sizeKiB, $dir);
$t0 = hrtime(true);
$paths = [];
for ($i = 0; $i < $files; $i++) {
    $path = sprintf('%s/file-%04d.log', $dir, $i);
    file_put_contents($path, generate_log($sizeKiB * 1024));
    $paths[$i] = $path;
}
printf("generated %s in %.2f s\n\n", human_bytes($files * $sizeKiB * 1024), seconds_since($t0));

// --- 2. in parallel, on the pool -----------------------------------------

$t0 = hrtime(true);
Pool::start($workers);   // optional: the first dispatch would start it
printf("pool: %d worker(s); one task per file: sha256 + gzcompress(9) + pbkdf2(%d rounds)\n",
    $workers ?? ((int) ini_get('asynctask.workers') ?: cpu_count()), $rounds);

// Dispatch everything (the queue holds it all), then collect in completion order.
$pending = [];
foreach ($paths as $i => $path) {
    $pending[$i] = AsyncTask\dispatch($analyse, $path);
}
$parallel = [];
$lastDraw = 0;
while ($pending) {
    $key = Future::any($pending);
    $parallel[$key] = $pending[$key]->wait();
    unset($pending[$key]);
    $now = hrtime(true);
    if ($now - $lastDraw > 100_000_000 || !$pending) {   // redraw at most 10 times a second
        $lastDraw = $now;
        progress(count($parallel), $files, seconds_since($t0), $tty);
    }
}
$parallelTime = seconds_since($t0);
ksort($parallel);
$stats = Pool::stats();
$poolWorkers = $stats['workers'];
$pids = count(array_unique(array_column($parallel, 'pid')));
printf("\n");

// --- 3. the same work, serially, in this process ---------------------------

$t0 = hrtime(true);
$serial = [];
$lastDraw = 0;
foreach ($paths as $i => $path) {
    $serial[$i] = $analyse($path);
    $now = hrtime(true);
    if ($now - $lastDraw > 100_000_000 || $i === $files - 1) {
        $lastDraw = $now;
        progress($i + 1, $files, seconds_since($t0), $tty, 'serial  ');
    }
}
$serialTime = seconds_since($t0);
printf("\n\n");

// --- 4. summary --------------------------------------------------------------

$strip = static fn (array $r): array => array_diff_key($r, ['pid' => true]);
$same = array_map($strip, $parallel) === array_map($strip, $serial);
$bytes = array_sum(array_column($parallel, 'bytes'));
$compressed = array_sum(array_column($parallel, 'compressed'));

printf("summary\n");
printf("  files            %d (%s, compressed at level 9 to %.1f%%)\n", $files, human_bytes($bytes), 100 * $compressed / $bytes);
printf("  pool             %d worker(s), %d distinct worker pid(s) did the work\n", $poolWorkers, $pids);
printf("  parallel (pool)  %6.2f s   %7.1f files/s   %s/s\n", $parallelTime, $files / $parallelTime, human_bytes((int) ($bytes / $parallelTime)));
printf("  serial (inline)  %6.2f s   %7.1f files/s   %s/s\n", $serialTime, $files / $serialTime, human_bytes((int) ($bytes / $serialTime)));
printf("  speedup          %.2fx\n", $serialTime / $parallelTime);
printf("  results          %s\n", $same ? 'parallel and serial results are identical' : 'MISMATCH between parallel and serial results');
printf("  pool stats       completed=%d failed=%d crashed=%d respawned=%d\n",
    $stats['completed'], $stats['failed'], $stats['crashed'], $stats['respawned']);
printf("  sample           %s  %s\n", basename($paths[0]), $parallel[0]['sha256']);

exit($same ? 0 : 1);

// --- helpers -----------------------------------------------------------------

/** Log-like text: timestamps, words and hex ids; compresses to about 40%. */
function generate_log(int $size): string
{
    static $words = ['GET', 'POST', 'PUT', 'DELETE', 'user', 'order', 'invoice', 'cart', 'login', 'logout',
        'ok', 'error', 'timeout', 'retry', 'cache', 'miss', 'hit', 'db', 'queue', 'mail', 'report', 'export'];
    $out = '';
    while (strlen($out) < $size) {
        $out .= date('Y-m-d\TH:i:s', random_int(1_600_000_000, 1_800_000_000))
            . ' ' . $words[array_rand($words)] . ' /' . $words[array_rand($words)] . '/' . random_int(1, 99999)
            . ' ' . bin2hex(random_bytes(random_int(2, 12)))
            . ' ' . $words[array_rand($words)] . ' ' . random_int(100, 599) . ' ' . random_int(1, 5000) . "ms\n";
    }
    return substr($out, 0, $size);
}

function progress(int $done, int $total, float $elapsed, bool $tty, string $label = 'parallel'): void
{
    $width = 30;
    $filled = intdiv($done * $width, max(1, $total));
    $line = sprintf('%s [%s%s] %d/%d tasks  %.1f tasks/s  %.1f s',
        $label, str_repeat('#', $filled), str_repeat('.', $width - $filled),
        $done, $total, $done / max($elapsed, 1e-9), $elapsed);
    if ($tty) {
        fwrite(STDOUT, "\r\033[K" . $line);
    } elseif ($done === $total) {
        fwrite(STDOUT, $line);   // not a terminal: only the final line
    }
}

function seconds_since(int $start): float
{
    return (hrtime(true) - $start) / 1e9;
}

function human_bytes(int $bytes): string
{
    $units = ['B', 'KiB', 'MiB', 'GiB'];
    $i = 0;
    $value = (float) $bytes;
    while ($value >= 1024 && $i < count($units) - 1) {
        $value /= 1024;
        $i++;
    }
    return $i === 0 ? "$bytes B" : sprintf('%.1f %s', $value, $units[$i]);
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
