<?php
/*
 * asynctask's dispatching side over Redis Streams, against the same
 * redis-server as the baselines (bench/redis/run), one round as JSON on
 * stdout. Needs asynctask (asynctask.backend pointed at the server with
 * -d, or --socket here) and phpredis for the bare XADD it is compared with.
 *
 *   php -d extension=redis -d extension=/path/asynctask.so bench/redis/asynctask_dispatch.php --socket=/path/redis.sock [--quick]
 *
 * Measured (per-call hrtime() samples after a warm-up):
 *   xadd_p50_us, xadd_p99_us          a bare XADD round trip (phpredis) of an entry as large as
 *                                     dispatch()'s signed one, to a stream of its own
 *   dispatch_p50_us, dispatch_p99_us  AsyncTask\dispatch('bench_noop', $i): encode, sign, XADD;
 *                                     its Future dropped. Sampled alternately with the bare XADD,
 *                                     so that the machine's load weighs on both alike
 *   dispatch_vs_xadd                  dispatch_p50_us / xadd_p50_us (the target is <= 1.5)
 *   fire_1_per_s                      fire-and-forget: dispatch() in a loop, Futures dropped, until
 *                                     the last XADD returned, no node running: the most a node
 *                                     could ever get from this one dispatcher (asynctask_node.php
 *                                     measures the round trip and the end-to-end rate)
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

[$socket, $N] = bench_options('asynctask_dispatch.php', [
    'quick' => ['warmup' => 200, 'latency' => 2000, 'fire' => 5000],
    'full' => ['warmup' => 500, 'latency' => 10000, 'fire' => 20000],
], ['redis', 'asynctask']);

$prefix = 'bench-at-' . getmypid();
ini_set('asynctask.backend', "unix://$socket");
ini_set('asynctask.prefix', $prefix);
if (strlen((string) ini_get('asynctask.secret')) < 32 && (string) ini_get('asynctask.secret_file') === '') {
    ini_set('asynctask.secret', bin2hex(random_bytes(32)));
}
$stream = "$prefix:q:default";
$bare = "$prefix:bare";

$redis = bench_connect($socket);

// the size of one signed entry, for a bare XADD of the same size
AsyncTask\dispatch('bench_noop', 1);
$last = $redis->xRevRange($stream, '+', '-', 1);
$entry = str_repeat('e', strlen(reset($last)['t']));

for ($i = 0; $i < $N['warmup']; $i++) {
    $redis->xAdd($bare, '*', ['t' => $entry]);
    AsyncTask\dispatch('bench_noop', $i);
}
$xadd = $dispatch = [];
for ($i = 0; $i < $N['latency']; $i++) {
    $t = hrtime(true);
    $redis->xAdd($bare, '*', ['t' => $entry]);
    $xadd[] = (hrtime(true) - $t) / 1e3;
    $t = hrtime(true);
    AsyncTask\dispatch('bench_noop', $i);
    $dispatch[] = (hrtime(true) - $t) / 1e3;
}
$redis->del($stream, $bare);

$t = hrtime(true);
for ($i = 0; $i < $N['fire']; $i++) {
    AsyncTask\dispatch('bench_noop', $i);
}
$fire = $N['fire'] / ((hrtime(true) - $t) / 1e9);
$redis->del($stream);

$out = [
    'xadd_p50_us' => round(percentile($xadd, 50), 1),
    'xadd_p99_us' => round(percentile($xadd, 99), 1),
    'dispatch_p50_us' => round(percentile($dispatch, 50), 1),
    'dispatch_p99_us' => round(percentile($dispatch, 99), 1),
    'fire_1_per_s' => round($fire),
];
$out['dispatch_vs_xadd'] = round($out['dispatch_p50_us'] / $out['xadd_p50_us'], 2);
echo json_encode($out), "\n";
