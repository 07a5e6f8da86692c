--TEST--
Status endpoint over TCP: Bearer token enforced; /metrics counts what ran (completed, failed, crashed, timed out; retried and dead 0 here), histograms cumulative with _count = tasks; /api/stats and /api/failures; no argument value anywhere
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.workers=2
asynctask.log=/dev/null
asynctask.status_token=s3cret-token
--FILE--
<?php
require __DIR__ . '/status.inc';
$port = status_free_port();
ini_set('asynctask.status_listen', "127.0.0.1:$port");
$remote = "tcp://127.0.0.1:$port";
$secret = 'SECRET-ARGUMENT-' . bin2hex(random_bytes(6));
$hidden = 'USE-VARIABLE-' . bin2hex(random_bytes(6));

$futures = [];
for ($i = 0; $i < 6; $i++) {
    $futures[] = AsyncTask\dispatch(fn(int $x, string $s) => strlen($s) + $x, $i, $secret);
}
$futures[] = AsyncTask\dispatch(function (string $s) use ($hidden) { throw new RuntimeException('no luck'); }, $secret);
$futures[] = AsyncTask\dispatch(function (string $s) { throw new LogicException('wrong turn', 7); }, $secret);
$futures[] = AsyncTask\dispatch(function (string $s) { exit(3); }, $secret);
$futures[] = (new AsyncTask\Task(function (string $s) { sleep(20); }, $secret))->withTimeout(0.3)->dispatch();
foreach ($futures as $f) {
    try {
        $f->wait(30);
    } catch (AsyncTask\TaskFailedException $e) {
        echo get_class($e), "\n";
    }
}

// a task that called exit() reports before its worker is gone: its respawn is counted when the manager reaps it
for ($deadline = microtime(true) + 10; AsyncTask\Pool::stats()['respawned'] < 2 && microtime(true) < $deadline;) {
    usleep(10000);
}
[$code, $headers] = status_get($remote, '/metrics');
echo "no token: $code ", $headers['www-authenticate'] ?? '-', "\n";
[$code] = status_get($remote, '/api/stats', 's3cret-tokeX');
echo "wrong token: $code\n";
[$code] = status_get($remote, '/api/failures', 's3cret-token-and-more');
echo "longer token: $code\n";
[$code, $headers, $page] = status_get($remote, '/');
echo "page: $code ", $headers['content-type'], ' ', str_contains($page, 'api/stats') ? 'polls' : 'static', "\n";
[$code, $headers, $metrics] = status_get($remote, '/metrics', 's3cret-token');
echo "metrics: $code ", $headers['content-type'], "\n";

$m = status_parse_metrics($metrics);
foreach (['completed', 'failed', 'crashed', 'timed_out', 'cancelled', 'retried', 'dead'] as $outcome) {
    echo "$outcome: ", $m["asynctask_tasks_total{queue=\"default\",outcome=\"$outcome\"}"], "\n";
}
echo 'duration count: ', status_check_histogram($m, 'asynctask_task_duration_seconds'), "\n";
echo 'wait count: ', status_check_histogram($m, 'asynctask_queue_wait_seconds'), "\n";
echo 'duration sum >= 0.3: ', var_export($m['asynctask_task_duration_seconds_sum{queue="default"}'] >= 0.3, true), "\n";
echo 'workers: ', $m['asynctask_workers{state="idle"}'] + $m['asynctask_workers{state="busy"}']
    + $m['asynctask_workers{state="starting"}'] + $m['asynctask_workers{state="down"}'], "\n";
echo 'respawns: ', $m['asynctask_worker_respawns_total'], "\n";

[$code, , $body] = status_get($remote, '/api/stats', 's3cret-token');
$api = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
$stats = AsyncTask\Pool::stats();
foreach (['completed', 'failed', 'crashed', 'timed_out', 'dispatched', 'respawned', 'manager_pid'] as $k) {
    if ($api[$k] !== $stats[$k]) {
        echo "api/stats $k: {$api[$k]} != {$stats[$k]}\n";
    }
}
$pids = array_column($api['worker_details'], 'pid');
sort($pids);
$expected = $stats['worker_pids'];
sort($expected);
echo 'api/stats retried: ', var_export($api['retried'], true), "\n";
echo "stats: $code, pids ", $pids === $expected ? 'match' : 'differ', ', ', count($api['worker_details']), " workers, tasks ",
    array_sum(array_column($api['worker_details'], 'tasks')) <= 10 ? 'counted' : 'too many', "\n";

[$code, , $body] = status_get($remote, '/api/failures', 's3cret-token');
$failures = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
echo "failures: $code, total {$failures['total']}\n";
$list = $failures['failures'];
usort($list, fn($a, $b) => (int) $a['id'] <=> (int) $b['id']);  // workers record them in parallel
foreach ($list as $f) {
    printf("%s %s %s %s %s\n", $f['outcome'], $f['remote_class'] ?: '-', str_contains($f['callable'], '{closure}@' . __FILE__ . ':') ? '{closure}@FILE' : $f['callable'],
        $f['file'] === __FILE__ ? 'FILE:' . $f['line'] : '-', substr($f['message'], 0, 40));
}
foreach (['/', '/metrics', '/api/stats', '/api/failures'] as $path) {
    [, , $body] = status_get($remote, $path, 's3cret-token');
    if (str_contains($body, $secret) || str_contains($body, $hidden)) {
        echo "$path shows a secret\n";
    }
}
[$code] = status_get($remote, '/nowhere', 's3cret-token');
echo "unknown path: $code\n";
?>
--EXPECTF--
AsyncTask\TaskFailedException
AsyncTask\TaskFailedException
AsyncTask\WorkerCrashedException
AsyncTask\TaskTimeoutException
no token: 401 Bearer realm="asynctask"
wrong token: 401
longer token: 401
page: 200 text/html; charset=utf-8 polls
metrics: 200 text/plain; version=0.0.4; charset=utf-8
completed: 6
failed: 2
crashed: 1
timed_out: 1
cancelled: 0
retried: 0
dead: 0
duration count: 10
wait count: 10
duration sum >= 0.3: true
workers: 2
respawns: 2
api/stats retried: 0
stats: 200, pids match, 2 workers, tasks counted
failures: 200, total 4
failed RuntimeException {closure}@FILE FILE:13 no luck
failed LogicException {closure}@FILE FILE:14 wrong turn
crashed - {closure}@FILE - the task called exit() (status 3); its w
timed_out - {closure}@FILE - task 10 exceeded its time limit of 0.3 s
unknown path: 404
