--TEST--
Redis node under a backlog stores each result with the take step that refills its worker: 400 tasks queued before a 2-worker node starts run once each with the right values, and the node's scripts number about one a task (EVALSHA at most 1.5 a task; storing and taking in two calls is 2 a task); every entry ends acknowledged and deleted
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('node_store_folded');
$server = redis_test_env('SERVER');
$proc = proc_open([$server, '--port', '0', '--unixsocket', "$dir/redis.sock", '--dir', $dir,
    '--appendonly', 'no', '--save', '', '--logfile', "$dir/redis.log"], [], $pipes);
register_shutdown_function(function () use ($proc) {
    proc_terminate($proc, SIGKILL);
    proc_close($proc);
});
for ($i = 0; $i < 200 && !@stream_socket_client("unix://$dir/redis.sock"); $i++) {
    usleep(25000);
}
ini_set('asynctask.backend', "unix://$dir/redis.sock");
ini_set('asynctask.secret', NODE_TEST_SECRET);
ini_set('asynctask.prefix', 'folded');
ini_set('asynctask.log', "$dir/log");

/** calls of a command so far (INFO commandstats) */
function calls(string $command): int
{
    foreach (explode("\n", redisCommand('INFO', 'commandstats')) as $line) {
        if (preg_match('/^cmdstat_' . $command . ':calls=(\d+)/', trim($line), $m)) {
            return (int) $m[1];
        }
    }
    return 0;
}

const N = 400;
$futures = [];
for ($i = 0; $i < N; $i++) {
    $futures[$i] = AsyncTask\dispatch(fn ($i) => $i * 3, $i);
}
$before = calls('evalsha') + calls('eval');
AsyncTask\Pool::start(2);
$right = 0;
foreach ($futures as $i => $future) {
    $right += $future->wait(60) === $i * 3 ? 1 : 0;
}
$scripts = calls('evalsha') + calls('eval') - $before;
var_dump($right);
$ok = $scripts >= N / 2 && $scripts <= 1.5 * N;
var_dump($ok);
$ok || print("scripts: $scripts for " . N . " tasks\n");
// stored before acknowledged, acknowledged and deleted: nothing left on the stream, nothing pending
var_dump(redisCommand('XLEN', 'folded:q:default'));
var_dump(redisCommand('XPENDING', 'folded:q:default', 'nodes')[0]);
AsyncTask\Pool::stop();
var_dump(str_contains(file_get_contents("$dir/log"), 'came late'));
asynctask_test_rmdir($dir);
?>
--EXPECT--
int(400)
bool(true)
int(0)
int(0)
bool(false)
