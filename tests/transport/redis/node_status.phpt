--TEST--
Redis node with asynctask.status_listen: its manager serves the stream's view, read about once a second (never per scrape): /metrics asynctask_backend_lag (entries not yet delivered), _pending, _stream_length, _consumers, _dead_stream_length, and outcome dead for an entry it dead-lettered; /api/stats and stats() carry the same figures
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
require __DIR__ . '/../../pool/status/status.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('node_status');
$port = status_free_port();
$prefix = node_test_setup('status', ['asynctask.log' => "$dir/log", 'asynctask.status_listen' => "127.0.0.1:$port",
    'asynctask.status_token' => 'node-token']);
$remote = "tcp://127.0.0.1:$port";

// six tasks that wait for a gate, then one that does not verify, all before the node
$gated = function (string $dir, int $i) {
    for ($n = 0; $n < 3000 && !file_exists("$dir/gate"); $n++) {
        usleep(10000);
    }
    return $i;
};
for ($i = 0; $i < 6; $i++) {
    node_test_dispatch($prefix, [], $gated, $dir, $i);
}
node_test_dispatch($prefix, ['secret' => 'another-secret-of-at-least-32-bytes-xxxxxxx'], 'strrev', 'forged');

$metrics = fn () => status_parse_metrics(status_get($remote, '/metrics', 'node-token')[2]);
$api = fn () => json_decode(status_get($remote, '/api/stats', 'node-token')[2], true, 512, JSON_THROW_ON_ERROR);

AsyncTask\Pool::start(1);
// one delivered to the node's only worker, six not yet
var_dump(node_test_until(fn () => ($metrics()['asynctask_backend_lag{queue="default"}'] ?? null) === 6, 10));
$m = $metrics();
foreach (['asynctask_backend_up', 'asynctask_backend_pending{queue="default"}',
    'asynctask_backend_stream_length{queue="default"}', 'asynctask_backend_consumers{queue="default"}',
    'asynctask_backend_dead_stream_length', 'asynctask_tasks_total{queue="default",outcome="dead"}'] as $k) {
    echo "$k ", $m[$k], "\n";
}
$a = $api();
$s = AsyncTask\Pool::stats();
echo "api/stats: {$a['backend']} lag {$a['lag']} pending {$a['pending']} stream {$a['stream_length']} consumers {$a['consumers']}\n";
echo "stats(): lag {$s['lag']} pending {$s['pending']}\n";

touch("$dir/gate");
var_dump(count(node_test_results("$prefix:r:test", 6)));
// the forged one went to the dead stream, never ran; the stream is drained
var_dump(node_test_until(fn () => ($m = $metrics())['asynctask_tasks_total{queue="default",outcome="dead"}'] === 1
    && $m['asynctask_backend_lag{queue="default"}'] === 0 && $m['asynctask_backend_pending{queue="default"}'] === 0
    && $m['asynctask_backend_dead_stream_length'] === 1, 10));
$a = $api();
echo "api/stats: lag {$a['lag']} pending {$a['pending']} dead_lettered {$a['dead_lettered']} dead_stream_length {$a['dead_stream_length']}\n";
AsyncTask\Pool::stop();
?>
--EXPECT--
bool(true)
asynctask_backend_up 1
asynctask_backend_pending{queue="default"} 1
asynctask_backend_stream_length{queue="default"} 7
asynctask_backend_consumers{queue="default"} 1
asynctask_backend_dead_stream_length 0
asynctask_tasks_total{queue="default",outcome="dead"} 0
api/stats: redis lag 6 pending 1 stream 7 consumers 1
stats(): lag 6 pending 1
int(6)
bool(true)
api/stats: lag 0 pending 0 dead_lettered 1 dead_stream_length 1
