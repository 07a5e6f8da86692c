--TEST--
A node of the Redis backend serves the queues its asynctask.queues names ("default:1,mail:1"): the group exists on every level of each queue's streams; an entry of {prefix}:q:mail runs on the mail queue's worker with context()->queue() "mail"; dispatch() with onQueue('mail') from this process runs on it too; stats(), /api/stats and /metrics give each queue's stream_length, pending and delayed (and /metrics its lag and consumers) besides the totals; a queue it does not serve is left alone
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/node.inc';
require __DIR__ . '/../../pool/status/status.inc';
use AsyncTask\Task;
use function AsyncTask\Testing\{wireEncode, encode, redisCommand};

$port = status_free_port();
$prefix = node_test_setup('queues', ['asynctask.status_listen' => "127.0.0.1:$port", 'asynctask.status_token' => 'tok']);
ini_set('asynctask.queues', 'default:1,mail:1');
AsyncTask\Pool::start();
$s = AsyncTask\Pool::stats();
var_dump($s['workers'], array_keys($s['queues']));

// an entry by hand on the mail queue's stream, as a dispatcher of any version sends it
$send = function (string $queue, callable $fn) use ($prefix) {
    $entry = wireEncode([
        'kind' => 'task', 'id' => bin2hex(random_bytes(16)), 'flags' => 0, 'queue' => $queue, 'node' => 'dispatcher',
        'reply_key' => "$prefix:r:test", 'payload' => encode($fn), 'timeout_ms' => 0,
        'dispatched_at_us' => (int) (microtime(true) * 1e6),
    ], node_test_key($prefix));
    return redisCommand('XADD', "$prefix:q:$queue", '*', 't', $entry);
};
$send('mail', fn () => [AsyncTask\context()->queue(), getmypid()]);
$r = node_test_result("$prefix:r:test");
$mailPid = $r['value'][1];
var_dump($r['value'][0], in_array($mailPid, AsyncTask\Pool::stats()['worker_pids'], true));
foreach (['mail', 'mail:high', 'mail:low', 'default', 'default:high', 'default:low'] as $stream) {
    $groups = redisCommand('XINFO', 'GROUPS', "$prefix:q:$stream");
    echo "$stream: ", $groups[0][1] ?? '-', "\n";
}

echo "-- dispatch() with onQueue() from this process\n";
$f = (new Task(fn () => [AsyncTask\context()->queue(), getmypid()]))->onQueue('mail')->dispatch();
[$queue, $pid] = $f->wait(20);
var_dump($queue, $pid === $mailPid);
$f = (new Task(fn () => [AsyncTask\context()->queue(), getmypid()]))->dispatch();
[$queue, $pid] = $f->wait(20);
var_dump($queue, $pid !== $mailPid);

echo "-- a queue it does not serve waits; the figures of each queue\n";
$send('reports', fn () => 'never here');
$later = (new Task('strlen', 'later'))->onQueue('mail')->delay(60)->dispatch();
(new Task('strlen', 'x'))->onQueue('mail')->withPriority(Task::LOW)->delay(60)->dispatch();
var_dump(node_test_until(function () {
    $q = AsyncTask\Pool::stats()['queues'];
    return ($q['mail']['delayed'] ?? 0) === 2;
}));
$s = AsyncTask\Pool::stats();
foreach ($s['queues'] as $name => $q) {
    echo "$name: stream_length=$q[stream_length] pending=$q[pending] delayed=$q[delayed] completed=$q[completed]\n";
}
var_dump($s['delayed'], $s['completed'], $s['stream_length'] === $s['queues']['default']['stream_length'] + $s['queues']['mail']['stream_length']);
var_dump(redisCommand('XLEN', "$prefix:q:reports"), redisCommand('EXISTS', "$prefix:q:reports:high"));
// the status endpoint: the same figures per queue
$m = status_parse_metrics(status_get("tcp://127.0.0.1:$port", '/metrics', 'tok')[2]);
var_dump($m['asynctask_backend_delayed{queue="mail"}'], $m['asynctask_backend_delayed{queue="default"}'],
    $m['asynctask_backend_consumers{queue="mail"}'], isset($m['asynctask_backend_stream_length{queue="mail"}']));
$api = json_decode(status_get("tcp://127.0.0.1:$port", '/api/stats', 'tok')[2], true);
var_dump($api['queues']['mail']['delayed'], $api['queues']['default']['pending']);
var_dump($later->cancel());
AsyncTask\Pool::stop();
?>
--EXPECT--
int(2)
array(2) {
  [0]=>
  string(7) "default"
  [1]=>
  string(4) "mail"
}
string(4) "mail"
bool(true)
mail: nodes
mail:high: nodes
mail:low: nodes
default: nodes
default:high: nodes
default:low: nodes
-- dispatch() with onQueue() from this process
string(4) "mail"
bool(true)
string(7) "default"
bool(true)
-- a queue it does not serve waits; the figures of each queue
bool(true)
default: stream_length=0 pending=0 delayed=0 completed=1
mail: stream_length=0 pending=0 delayed=2 completed=2
int(2)
int(3)
bool(true)
int(1)
int(0)
int(2)
int(0)
int(1)
bool(true)
int(2)
int(0)
bool(true)
