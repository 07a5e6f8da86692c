--TEST--
Pool::serve(): tasks dispatched before any node existed are served by the first one; SIGTERM stops taking (a task sent after it stays in the stream, undelivered), lets the running task finish and store its result, then serve() returns; a node without a secret, or that Redis refuses, is a clear BackendException from serve() itself
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('node_serve');
$prefix = node_test_setup('serve');
$stream = "$prefix:q:default";
$reply = "$prefix:r:test";

// before any node: the stream exists, its group does not
$early = [];
for ($i = 0; $i < 3; $i++) {
    $early[] = node_test_dispatch($prefix, [], 'strrev', "early $i")[0];
}
var_dump(redisCommand('EXISTS', $stream), redisCommand('XINFO', 'GROUPS', $stream));

file_put_contents("$dir/serve.php", '<?php
AsyncTask\Pool::serve();
echo "serve() returned\n";
');
$node = node_test_spawn($prefix, "$dir/serve.php", ['asynctask.workers' => 2, 'asynctask.node' => 'serving',
    'asynctask.shutdown_timeout' => 20]);
$results = node_test_results($reply, 3);
var_dump(array_map(fn ($id) => $results[$id]['value'] ?? null, $early));

// a task running when SIGTERM comes finishes, and its result is stored
[$slow] = node_test_dispatch($prefix, [], function (string $dir) {
    touch("$dir/running");
    for ($i = 0; $i < 2000 && !file_exists("$dir/gate"); $i++) {
        usleep(10000);
    }
    return file_exists("$dir/gate") ? 'finished after SIGTERM' : 'gate never opened';
}, $dir);
var_dump(asynctask_test_wait_for("$dir/running"));
posix_kill($node['pid'], SIGTERM);
// once the node says it stopped taking, one more is sent
var_dump(node_test_read_until($node, 'no more tasks taken'));
[$late] = node_test_dispatch($prefix, [], 'strrev', 'late');
touch("$dir/gate");
[$code, $out] = node_test_reap($node);
var_dump($code);
echo preg_replace('/^\[.*\n/m', '', $out);
$r = node_test_result($reply, 5);
var_dump($r['id'] === $slow, $r['value']);
// the late one was never delivered: still in the stream, pending to nobody
var_dump(redisCommand('XLEN', $stream), redisCommand('XPENDING', $stream, 'nodes')[0], redisCommand('LLEN', $reply));

// refusals, from serve() itself
ini_set('asynctask.secret', '');
try {
    AsyncTask\Pool::serve();
} catch (AsyncTask\BackendException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
ini_set('asynctask.secret', NODE_TEST_SECRET);
ini_set('asynctask.backend', redis_test_url(null, 'wrong-password'));
try {
    AsyncTask\Pool::serve();
} catch (AsyncTask\BackendException $e) {
    echo get_class($e), "\n";
}
var_dump(AsyncTask\Pool::stats()['workers']);
ini_set('asynctask.backend', redis_test_url());
?>
--EXPECTF--
int(1)
array(0) {
}
array(3) {
  [0]=>
  string(7) "0 ylrae"
  [1]=>
  string(7) "1 ylrae"
  [2]=>
  string(7) "2 ylrae"
}
bool(true)
bool(true)
int(0)
serve() returned
bool(true)
string(22) "finished after SIGTERM"
int(1)
int(0)
int(0)
AsyncTask\BackendException: asynctask.backend=%s: %s
AsyncTask\BackendException
int(0)
