--TEST--
Retries on the status endpoint: /metrics counts retried runs (asynctask_tasks_total{outcome="retried"}), /api/stats has "retried" as Pool::stats() does, and /api/failures lists each failed run with its attempt
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.workers=1
asynctask.log=/dev/null
asynctask.status_token=s3cret-token
--FILE--
<?php
require __DIR__ . '/../status/status.inc';
use AsyncTask\Task;

$port = status_free_port();
ini_set('asynctask.status_listen', "127.0.0.1:$port");
$remote = "tcp://127.0.0.1:$port";
$f = (new Task(function () {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < 3) {
        throw new RuntimeException("attempt $attempt failed");
    }
    return $attempt;
}))->withRetries(3, 0.01)->dispatch();
var_dump($f->wait(10));

[$code, , $metrics] = status_get($remote, '/metrics', 's3cret-token');
$m = status_parse_metrics($metrics);
var_dump($code, $m['asynctask_tasks_total{queue="default",outcome="retried"}'], $m['asynctask_tasks_total{queue="default",outcome="completed"}'],
    $m['asynctask_tasks_total{queue="default",outcome="failed"}']);
[, , $stats] = status_get($remote, '/api/stats', 's3cret-token');
var_dump(json_decode($stats, true)['retried']);
[, , $failures] = status_get($remote, '/api/failures', 's3cret-token');
foreach (json_decode($failures, true)['failures'] as $failure) {
    echo $failure['outcome'], ' attempt ', $failure['attempt'], ': ', $failure['message'], "\n";
}
?>
--EXPECT--
int(3)
int(200)
int(2)
int(1)
int(0)
int(2)
failed attempt 2: attempt 2 failed
failed attempt 1: attempt 1 failed
