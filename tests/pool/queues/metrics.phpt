--TEST--
Named queues on the status endpoint: /metrics has each queue's own series (queue="name": outcomes, dispatches, duration and wait histograms, depth, bytes), equal to its Pool::stats()['queues'] figures; /api/stats keeps the pool's totals and adds the same queues key as Pool::stats(), and each worker's queue
--EXTENSIONS--
asynctask
--INI--
asynctask.log=/dev/null
asynctask.queues="default:1,mail:1"
--FILE--
<?php
require __DIR__ . '/../status/status.inc';
use AsyncTask\Task;

$port = status_free_port();
ini_set('asynctask.status_listen', "127.0.0.1:$port");
$futures = [];
for ($i = 0; $i < 7; $i++) {
    $futures[] = (new Task('strlen', 'x'))->onQueue('mail')->dispatch();
}
for ($i = 0; $i < 3; $i++) {
    $futures[] = AsyncTask\dispatch('strlen', 'y');
}
AsyncTask\Future::all($futures, 10);
try {
    (new Task(fn () => throw new LogicException('x')))->onQueue('mail')->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
}
for ($deadline = microtime(true) + 10; AsyncTask\Pool::stats()['running'] > 0 && microtime(true) < $deadline; ) {
    usleep(2000);
}
[$code, , $body] = status_get("tcp://127.0.0.1:$port", '/metrics');
$m = status_parse_metrics($body);
$stats = AsyncTask\Pool::stats();
foreach (['default', 'mail'] as $q) {
    echo $q, ': completed=', $m["asynctask_tasks_total{queue=\"$q\",outcome=\"completed\"}"],
        ' failed=', $m["asynctask_tasks_total{queue=\"$q\",outcome=\"failed\"}"],
        ' dispatched=', $m["asynctask_tasks_dispatched_total{queue=\"$q\"}"],
        ' depth=', $m["asynctask_queue_depth{queue=\"$q\"}"],
        ' durations=', $m["asynctask_task_duration_seconds_count{queue=\"$q\"}"],
        ' waits=', $m["asynctask_queue_wait_seconds_count{queue=\"$q\"}"],
        ' capacity=', $m["asynctask_queue_capacity_bytes{queue=\"$q\"}"] === $stats['queues'][$q]['queue_bytes_total'] ? 'ok' : 'differs',
        ' stats=', $stats['queues'][$q]['completed'], '/', $stats['queues'][$q]['failed'], "\n";
}
$api = json_decode(status_get("tcp://127.0.0.1:$port", '/api/stats')[2], true);
var_dump($code, $api['completed'], $api['failed'], $api['dispatched'], $api['queue_bytes_total'] === $stats['queue_bytes_total']);
// and the same per-queue figures as Pool::stats(), and each worker's queue
$stats = AsyncTask\Pool::stats();
var_dump($api['queues'] == $stats['queues']);
$byQueue = [];
foreach ($api['worker_details'] as $w) {
    $byQueue[$w['queue']][] = $w['pid'];
}
ksort($byQueue);
var_dump(array_map('count', $byQueue), array_diff(array_merge(...array_values($byQueue)), $stats['worker_pids']));
?>
--EXPECT--
default: completed=3 failed=0 dispatched=3 depth=0 durations=3 waits=3 capacity=ok stats=3/0
mail: completed=7 failed=1 dispatched=8 depth=0 durations=8 waits=8 capacity=ok stats=7/1
int(200)
int(10)
int(1)
int(11)
bool(true)
bool(true)
array(2) {
  ["default"]=>
  int(1)
  ["mail"]=>
  int(1)
}
array(0) {
}
