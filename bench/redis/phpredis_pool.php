<?php
/*
 * The baseline a PHP team writes today for tasks over Redis Streams, with
 * phpredis (php8.2-redis): a dispatcher XADDs serialize([fn, args, id,
 * replyKey]) to a stream; N forked worker processes read it with XREADGROUP
 * (COUNT 16, BLOCK 1000), call the function, LPUSH serialize([id, result]) to
 * the reply key (when there is one) and XACK, one entry at a time; the
 * dispatcher BLPOPs its reply key. One round of every measurement, as JSON
 * on stdout (bench/redis/run runs rounds and sums them up).
 *
 *   php -d extension=redis bench/redis/phpredis_pool.php --socket=/path/redis.sock [--quick]
 *
 * Measured (latencies: per-call hrtime() samples after a warm-up):
 *   rt_p50_us, rt_p99_us        no-op round trip: XADD, then BLPOP the reply
 *   rt_redis_cpu_us             redis-server's CPU time (INFO cpu, main thread) per round trip
 *   dispatch_p50_us, _p99_us    dispatch() alone: one XADD round trip, nobody waits
 *   fire_1_per_s                fire-and-forget: 1 dispatcher, one XADD round trip each, until
 *                               the workers acknowledged the last one
 *   fire_redis_cpu_us           redis-server's CPU time per task of that run
 *   fire_4_per_s                the same with 4 dispatching processes (php-fpm children are several)
 *   fire_pipelined_per_s        1 dispatcher, XADDs pipelined by 100
 *   echo_1mb_mb_per_s, echo_1mb_p50_ms  a 1 MB string sent and returned
 *   drain_count16_per_s         a backlog of tasks drained by freshly started workers, tasks/s from
 *                               the first entry read to the last acknowledged
 *   drain_count1_per_s          the same, the workers reading one entry at a time (no hoarding)
 *   drain_count16_redis_cpu_us, drain_count1_redis_cpu_us  redis-server's CPU a task drained
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

const WORKERS = 2;
const GROUP = 'workers';

[$socket, $N] = bench_options('phpredis_pool.php', [
    'quick' => ['warmup' => 200, 'rt' => 1000, 'dispatch' => 2000, 'fire' => 5000, 'echo' => 20],
    'full' => ['warmup' => 500, 'rt' => 5000, 'dispatch' => 10000, 'fire' => 20000, 'echo' => 60],
], ['redis', 'pcntl_fork']);

/** A worker: what the README of a home-made Redis queue does. Never returns. */
function worker(string $socket, string $stream, int $n, int $count = 16): never
{
    $redis = bench_connect($socket);
    $redis->setOption(Redis::OPT_READ_TIMEOUT, -1);
    for (;;) {
        $batch = $redis->xReadGroup(GROUP, "worker-$n", [$stream => '>'], $count, 1000);
        foreach ($batch[$stream] ?? [] as $entryId => $fields) {
            [$fn, $args, $id, $replyKey] = unserialize($fields['t']);
            $result = $fn(...$args);
            if ($replyKey !== null) {
                $redis->lPush($replyKey, serialize([$id, $result]));
            }
            $redis->xAck($stream, GROUP, [$entryId]);
        }
    }
}

/** XADDs $n no-op tasks nobody waits for, pipelined by 100; the last entry's id. */
function add_pipelined(Redis $redis, string $stream, int $n, int &$seq): string
{
    for ($i = 0; $i < $n; $i += 100) {
        $pipe = $redis->pipeline();
        for ($j = 0; $j < 100; $j++) {
            $pipe->xAdd($stream, '*', ['t' => serialize(['bench_noop', [$i + $j], ++$seq, null])]);
        }
        $ids = $pipe->exec();
    }
    return end($ids);
}

/** The group's XINFO GROUPS entry. @return array<string, mixed> */
function group(Redis $redis, string $stream): array
{
    foreach ($redis->xInfo('GROUPS', $stream) as $group) {
        if ($group['name'] === GROUP) {
            return $group;
        }
    }
    return [];
}

/** Waits until the group has read and acknowledged everything up to $lastId. */
function drained(Redis $redis, string $stream, string $lastId): void
{
    for (;;) {
        $group = group($redis, $stream);
        if ($group['last-delivered-id'] === $lastId && $group['pending'] === 0) {
            return;
        }
        usleep(500);
    }
}

$stream = 'bench:q:' . getmypid();
$replyKey = 'bench:r:' . getmypid();
$redis = bench_connect($socket);
$redis->del($stream, $replyKey);
$redis->xGroup('CREATE', $stream, GROUP, '$', true);
$workers = start_workers($socket, $stream, 16);
$out = [];
$seq = 0;

// no-op round trip
$samples = [];
for ($i = 0; $i < $N['warmup'] + $N['rt']; $i++) {
    if ($i === $N['warmup']) {
        $cpu = redis_cpu($redis);
    }
    $t = hrtime(true);
    $redis->xAdd($stream, '*', ['t' => serialize(['bench_noop', [$i], ++$seq, $replyKey])]);
    [, $reply] = $redis->blPop([$replyKey], 5);
    [$id, $result] = unserialize($reply);
    if ($i >= $N['warmup']) {
        $samples[] = (hrtime(true) - $t) / 1e3;
    }
    $id === $seq && $result === $i || exit("wrong reply\n");
}
$out['rt_redis_cpu_us'] = (redis_cpu($redis) - $cpu) * 1e6 / $N['rt'];
$out['rt_p50_us'] = percentile($samples, 50);
$out['rt_p99_us'] = percentile($samples, 99);

// dispatch() alone: the XADD round trip of a task nobody waits for
$samples = [];
for ($i = 0; $i < $N['dispatch']; $i++) {
    $t = hrtime(true);
    $last = $redis->xAdd($stream, '*', ['t' => serialize(['bench_noop', [$i], ++$seq, null])]);
    $samples[] = (hrtime(true) - $t) / 1e3;
}
$out['dispatch_p50_us'] = percentile($samples, 50);
$out['dispatch_p99_us'] = percentile($samples, 99);
drained($redis, $stream, $last);

// fire-and-forget throughput, 1 dispatcher: until the workers acknowledged the last task
$cpu = redis_cpu($redis);
$t = hrtime(true);
for ($i = 0; $i < $N['fire']; $i++) {
    $last = $redis->xAdd($stream, '*', ['t' => serialize(['bench_noop', [$i], ++$seq, null])]);
}
drained($redis, $stream, $last);
$out['fire_1_per_s'] = $N['fire'] / ((hrtime(true) - $t) / 1e9);
$out['fire_redis_cpu_us'] = (redis_cpu($redis) - $cpu) * 1e6 / $N['fire'];

// the same from 4 dispatching processes
$t = hrtime(true);
$dispatchers = [];
for ($d = 0; $d < 4; $d++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $mine = bench_connect($socket);
        for ($i = 0; $i < intdiv($N['fire'], 4); $i++) {
            $mine->xAdd($stream, '*', ['t' => serialize(['bench_noop', [$i], $i, null])]);
        }
        exit(0);
    }
    $dispatchers[] = $pid;
}
foreach ($dispatchers as $pid) {
    pcntl_waitpid($pid, $status);
}
// the newest entry of the stream is the last of the four to arrive
$newest = array_key_first($redis->xRevRange($stream, '+', '-', 1));
drained($redis, $stream, $newest);
$out['fire_4_per_s'] = 4 * intdiv($N['fire'], 4) / ((hrtime(true) - $t) / 1e9);

// 1 dispatcher, XADDs pipelined by 100
$t = hrtime(true);
$last = add_pipelined($redis, $stream, $N['fire'], $seq);
drained($redis, $stream, $last);
$out['fire_pipelined_per_s'] = $N['fire'] / ((hrtime(true) - $t) / 1e9);

// 1 MB echoed back
$mb = str_repeat('x', 1 << 20);
$samples = [];
for ($i = 0; $i < $N['echo'] + 5; $i++) {
    $t = hrtime(true);
    $redis->xAdd($stream, '*', ['t' => serialize(['bench_echo', [$mb], ++$seq, $replyKey])]);
    [, $reply] = $redis->blPop([$replyKey], 10);
    strlen(unserialize($reply)[1]) === 1 << 20 || exit("wrong echo\n");
    if ($i >= 5) {
        $samples[] = (hrtime(true) - $t) / 1e6;
    }
}
$out['echo_1mb_p50_ms'] = percentile($samples, 50);
$out['echo_1mb_mb_per_s'] = count($samples) / (array_sum($samples) / 1e3);

/** Forks the workers, each reading up to $count entries at a time. @return list<int> their pids */
function start_workers(string $socket, string $stream, int $count): array
{
    $pids = [];
    for ($n = 0; $n < WORKERS; $n++) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            worker($socket, $stream, $n, $count);
        }
        $pids[] = $pid;
    }
    return $pids;
}

/** @param list<int> $pids */
function stop_workers(array $pids): void
{
    foreach ($pids as $pid) {
        posix_kill($pid, SIGKILL);
        pcntl_waitpid($pid, $status);
    }
}

// drain: a backlog of tasks (XADDs pipelined by 100, no worker running), then workers
// started and timed until they acknowledged the last; reading 16 entries at a time (as
// above) and 1 at a time (no hoarding: DESIGN's rule for a node)
stop_workers($workers);
foreach ([16, 1] as $count) {
    $last = add_pipelined($redis, $stream, $N['fire'], $seq);
    $before = group($redis, $stream)['entries-read'] ?? 0;
    $workers = start_workers($socket, $stream, $count);
    // timed from the first entry read, so that the workers' start is not
    while (($read = group($redis, $stream)['entries-read'] ?? 0) === $before) {
        usleep(100);
    }
    $t = hrtime(true);
    $cpu = redis_cpu($redis);
    drained($redis, $stream, $last);
    $out["drain_count{$count}_per_s"] = ($N['fire'] - ($read - $before)) / ((hrtime(true) - $t) / 1e9);
    $out["drain_count{$count}_redis_cpu_us"] = (redis_cpu($redis) - $cpu) * 1e6 / ($N['fire'] - ($read - $before));
    stop_workers($workers);
}

$redis->del($stream, $replyKey);
echo json_encode($out), "\n";
