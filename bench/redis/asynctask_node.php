<?php
/*
 * asynctask end to end over Redis Streams, shaped as the phpredis pool
 * (bench/redis/phpredis_pool.php) it is compared with: this process
 * dispatches, and a node with 2 workers (Pool::start(2): its manager holds
 * the node's Redis connections, its workers are forked from here, so they
 * know the bench functions) runs the tasks, against the same redis-server.
 * One round as JSON on stdout (bench/redis/run runs rounds, interleaved
 * with the baseline's, and sums them up).
 *
 *   php -d extension=redis -d extension=/path/asynctask.so bench/redis/asynctask_node.php --socket=/path/redis.sock [--quick]
 *
 * Measured (latencies: per-call hrtime() samples after a warm-up):
 *   rt_p50_us, rt_p99_us        no-op round trip: dispatch('bench_noop', $i)->wait()
 *   rt_redis_cpu_us             redis-server's CPU time (INFO cpu, main thread) per round trip
 *   fire_1_per_s                fire-and-forget: 1 dispatcher, dispatch() in a loop with the Futures
 *                               dropped, until the node acknowledged the last one (the stream is
 *                               empty: a node deletes an entry once its result is stored)
 *   fire_redis_cpu_us           redis-server's CPU time per task of that run
 *   drain_per_s                 a backlog of tasks (dispatched while no node ran) drained by a node of
 *                               2 started then, tasks/s from its first result stored to its last
 *   echo_1mb_mb_per_s, echo_1mb_p50_ms  a 1 MiB string of random bytes sent and returned, compared
 *                               byte for byte; MB/s counted as the baseline counts it: echoes per
 *                               second, one MiB each (each also travels back: twice that moves)
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

[$socket, $N] = bench_options('asynctask_node.php', [
    'quick' => ['warmup' => 200, 'rt' => 1000, 'fire' => 5000, 'echo' => 20],
    'full' => ['warmup' => 500, 'rt' => 5000, 'fire' => 20000, 'echo' => 60],
], ['redis', 'asynctask']);

$prefix = 'bench-node-' . getmypid();
ini_set('asynctask.backend', "unix://$socket");
ini_set('asynctask.prefix', $prefix);
ini_set('asynctask.node', 'bench');
if ((string) ini_get('asynctask.log') === '') {
    ini_set('asynctask.log', '/dev/null');   // the node's "serving" and "drains" lines, every round
}
if (strlen((string) ini_get('asynctask.secret')) < 32 && (string) ini_get('asynctask.secret_file') === '') {
    ini_set('asynctask.secret', bin2hex(random_bytes(32)));
}
$stream = "$prefix:q:default";
$redis = bench_connect($socket);

AsyncTask\Pool::start(2);
$out = [];

// no-op round trip
$samples = [];
for ($i = 0; $i < $N['warmup'] + $N['rt']; $i++) {
    if ($i === $N['warmup']) {
        $cpu = redis_cpu($redis);
    }
    $t = hrtime(true);
    $result = AsyncTask\dispatch('bench_noop', $i)->wait(5);
    if ($i >= $N['warmup']) {
        $samples[] = (hrtime(true) - $t) / 1e3;
    }
    $result === $i || exit("wrong reply\n");
}
$out['rt_redis_cpu_us'] = (redis_cpu($redis) - $cpu) * 1e6 / $N['rt'];
$out['rt_p50_us'] = percentile($samples, 50);
$out['rt_p99_us'] = percentile($samples, 99);

// fire-and-forget throughput, 1 dispatcher: until the node acknowledged (and deleted) the last entry
$cpu = redis_cpu($redis);
$t = hrtime(true);
for ($i = 0; $i < $N['fire']; $i++) {
    AsyncTask\dispatch('bench_noop', $i);
}
while ($redis->xLen($stream) > 0) {
    usleep(500);
}
$out['fire_1_per_s'] = $N['fire'] / ((hrtime(true) - $t) / 1e9);
$out['fire_redis_cpu_us'] = (redis_cpu($redis) - $cpu) * 1e6 / $N['fire'];

// 1 MiB echoed back, intact
$mb = random_bytes(1 << 20);
$samples = [];
for ($i = 0; $i < $N['echo'] + 5; $i++) {
    $t = hrtime(true);
    $back = AsyncTask\dispatch('bench_echo', $mb)->wait(10);
    $back === $mb || exit("the 1 MiB echo came back altered\n");
    if ($i >= 5) {
        $samples[] = (hrtime(true) - $t) / 1e6;
    }
}
$out['echo_1mb_p50_ms'] = percentile($samples, 50);
$out['echo_1mb_mb_per_s'] = count($samples) / (array_sum($samples) / 1e3);

AsyncTask\Pool::stop();

// drain: a backlog of tasks dispatched while no node runs, then a node of 2 started and timed
// until it acknowledged the last (it takes only as many entries as it has idle workers)
for ($i = 0; $i < $N['fire']; $i++) {
    AsyncTask\dispatch('bench_noop', $i);
}
AsyncTask\Pool::start(2);
// timed from the first result stored (its entry deleted), so that the node's start is not
while (($left = $redis->xLen($stream)) >= $N['fire']) {
    usleep(100);
}
$t = hrtime(true);
while ($redis->xLen($stream) > 0) {
    usleep(500);
}
$out['drain_per_s'] = $left / ((hrtime(true) - $t) / 1e9);
AsyncTask\Pool::stop();

foreach ($redis->keys("$prefix:*") as $key) {
    $redis->del($key);
}
echo json_encode($out), "\n";
