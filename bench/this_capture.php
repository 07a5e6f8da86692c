<?php
/*
 * What a closure's bound $this costs a round trip: AsyncTask\dispatch($c)->wait()
 * of a no-op closure declared in a method of an object with ~4 KB of state,
 * against the same no-op declared outside any class (the baseline, no $this),
 * and a closure of the same object that reads $this (which has to travel).
 *
 *   php -n -d extension=modules/asynctask.so bench/this_capture.php [--rounds=15] [--calls=2000]
 *   (add -d zend_extension=opcache -d opcache.enable_cli=1 to measure with opcache)
 *
 * Each round times --calls round trips of each closure in turn, one at a time,
 * after a warm-up; the table gives the mean round trip of each round in µs:
 * min / median / max over the rounds. One worker, so that every task meets a
 * warm worker with the closure's code already resolved.
 */

declare(strict_types=1);

final class Service
{
    private array $rows = [];
    private int $hits = 0;

    public function __construct()
    {
        for ($i = 0; $i < 64; $i++) {
            $this->rows["row$i"] = str_repeat(chr(97 + $i % 26), 48);
        }
    }

    public function noop(): Closure
    {
        return function () {
            return null;
        };
    }

    public function readsThis(): Closure
    {
        return function () {
            return $this->hits;
        };
    }
}

$options = getopt('', ['rounds:', 'calls:']);
$rounds = max(1, (int) ($options['rounds'] ?? 15));
$calls = max(1, (int) ($options['calls'] ?? 2000));

if (!extension_loaded('asynctask')) {
    fwrite(STDERR, "load the module: php -n -d extension=/path/to/asynctask.so bench/this_capture.php\n");
    exit(1);
}
AsyncTask\Pool::start(1);

$service = new Service();
$closures = [
    'plain closure (no $this), baseline' => function () {
        return null;
    },
    'closure in a method, does not use $this' => $service->noop(),
    'closure in a method, uses $this' => $service->readsThis(),
];

foreach ($closures as $closure) {
    for ($i = 0; $i < 500; $i++) {
        AsyncTask\dispatch($closure)->wait();
    }
}
$means = array_fill_keys(array_keys($closures), []);
for ($r = 0; $r < $rounds; $r++) {
    foreach ($closures as $name => $closure) {
        $start = hrtime(true);
        for ($i = 0; $i < $calls; $i++) {
            AsyncTask\dispatch($closure)->wait();
        }
        $means[$name][] = (hrtime(true) - $start) / $calls / 1e3;
    }
}

function median(array $values): float
{
    sort($values);
    $n = count($values);
    return $n % 2 ? $values[intdiv($n, 2)] : ($values[$n / 2 - 1] + $values[$n / 2]) / 2;
}

printf("PHP %s, opcache %s; the object's state: serialize() gives %d bytes\n", PHP_VERSION,
    function_exists('opcache_get_status') && (opcache_get_status(false)['opcache_enabled'] ?? false) ? 'on' : 'off',
    strlen(serialize($service)));
printf("%d rounds of %d round trips each, 1 worker; mean round trip per round (µs)\n\n", $rounds, $calls);
printf("| %-40s | %6s | %6s | %6s |\n", 'closure', 'min', 'median', 'max');
printf("|%s|%s:|%s:|%s:|\n", str_repeat('-', 42), str_repeat('-', 7), str_repeat('-', 7), str_repeat('-', 7));
foreach ($means as $name => $values) {
    printf("| %-40s | %6.2f | %6.2f | %6.2f |\n", $name, min($values), median($values), max($values));
}
AsyncTask\Pool::stop();
