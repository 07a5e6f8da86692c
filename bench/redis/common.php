<?php
/*
 * What the Redis benchmarks share (bench/redis/run runs them): the task
 * functions both sides run, the command line, the connection, percentiles
 * and redis-server's own CPU time.
 */

declare(strict_types=1);

function bench_noop(int $x): int
{
    return $x;
}

function bench_echo(string $s): string
{
    return $s;
}

/**
 * The command line of a benchmark script: [socket, the counts to use]. Exits
 * with its usage when --socket is missing, and says which extensions it lacks.
 *
 * @param array{quick: array<string, int>, full: array<string, int>} $counts
 * @param list<string> $needs extensions, or functions (pcntl_fork)
 * @return array{0: string, 1: array<string, int>}
 */
function bench_options(string $script, array $counts, array $needs): array
{
    $options = getopt('', ['socket:', 'quick']);
    if (!isset($options['socket'])) {
        exit("usage: $script --socket=/path/to/redis.sock [--quick]\n");
    }
    foreach ($needs as $need) {
        if (!(extension_loaded($need) || function_exists($need))) {
            fwrite(STDERR, "$script needs $need (php8.2-redis for redis; pcntl and posix for the pool)\n");
            exit(1);
        }
    }
    return [$options['socket'], isset($options['quick']) ? $counts['quick'] : $counts['full']];
}

function bench_connect(string $socket): Redis
{
    $redis = new Redis();
    if (!$redis->connect($socket)) {
        throw new RuntimeException("cannot connect to $socket");
    }
    return $redis;
}

/** @param list<float> $samples  $p in percent */
function percentile(array $samples, float $p): float
{
    sort($samples);
    return $samples[min(count($samples) - 1, (int) floor($p / 100 * count($samples)))];
}

/** redis-server's CPU seconds so far (user + system, its main thread). */
function redis_cpu(Redis $redis): float
{
    $cpu = $redis->info('cpu');
    return (float) $cpu['used_cpu_user_main_thread'] + (float) $cpu['used_cpu_sys_main_thread'];
}
