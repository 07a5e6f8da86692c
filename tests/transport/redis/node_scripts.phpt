--TEST--
Redis node: its Lua scripts go by SHA1 (EVALSHA), the text only when Redis does not know one (NOSCRIPT): 40 tasks through a node on a private redis-server cost at least 40 EVALSHA and only a few EVAL (one per script the first time); after SCRIPT FLUSH, and after Redis is restarted (its script cache empty), every task still runs and returns its value, each again with only a few EVAL
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

// a private redis-server: its command counts are this test's alone
$dir = asynctask_test_dir('node_scripts');
$server = redis_test_env('SERVER');
$start = fn () => proc_open([$server, '--port', '0', '--unixsocket', "$dir/redis.sock", '--dir', $dir,
    '--appendonly', 'yes', '--save', '', '--logfile', "$dir/redis.log"], [], $pipes);
function wait_up(string $socket): void
{
    for ($i = 0; $i < 200 && !@stream_socket_client("unix://$socket"); $i++) {
        usleep(25000);
    }
}
$proc = $start();
register_shutdown_function(function () use (&$proc) {
    if (is_resource($proc)) {
        proc_terminate($proc, SIGKILL);
        proc_close($proc);
    }
});
wait_up("$dir/redis.sock");
ini_set('asynctask.backend', "unix://$dir/redis.sock");
ini_set('asynctask.secret', NODE_TEST_SECRET);
ini_set('asynctask.prefix', 'scripts');
ini_set('asynctask.log', "$dir/log");
ini_set('asynctask.dispatch_timeout', '10');

/** calls of EVAL and EVALSHA so far (INFO commandstats) */
function calls(): array
{
    $out = ['eval' => 0, 'evalsha' => 0];
    foreach (explode("\n", redisCommand('INFO', 'commandstats')) as $line) {
        if (preg_match('/^cmdstat_(eval|evalsha):calls=(\d+)/', trim($line), $m)) {
            $out[$m[1]] = (int) $m[2];
        }
    }
    return $out;
}

/** 40 tasks one after the other (each waits: a take, a store each); what the script calls cost. */
function round_of_tasks(): void
{
    $before = calls();
    $sum = 0;
    for ($i = 0; $i < 40; $i++) {
        $sum += AsyncTask\dispatch(fn ($i) => $i * 2, $i)->wait(20);
    }
    $after = calls();
    $eval = $after['eval'] - $before['eval'];
    $evalsha = $after['evalsha'] - $before['evalsha'];
    echo "sum $sum; EVALSHA >= 40: ", var_export($evalsha >= 40, true), "; EVAL <= 8: ", var_export($eval <= 8, true),
        $eval <= 8 ? '' : " ($eval)", "\n";
}

AsyncTask\Pool::start(1);
round_of_tasks();
round_of_tasks();   // all known now
var_dump(redisCommand('SCRIPT', 'FLUSH'));
round_of_tasks();

// Redis restarted: its script cache is empty, the node's connections come back
proc_terminate($proc, SIGKILL);
proc_close($proc);
$proc = $start();
wait_up("$dir/redis.sock");
var_dump(node_test_until(fn () => AsyncTask\Pool::stats()['backend_connected'] && AsyncTask\Pool::stats()['reconnects'] >= 1));
round_of_tasks();
AsyncTask\Pool::stop();
echo substr_count(file_get_contents("$dir/log"), 'NOSCRIPT'), " NOSCRIPT in the log\n";
asynctask_test_rmdir($dir);
?>
--EXPECT--
sum 1560; EVALSHA >= 40: true; EVAL <= 8: true
sum 1560; EVALSHA >= 40: true; EVAL <= 8: true
string(2) "OK"
sum 1560; EVALSHA >= 40: true; EVAL <= 8: true
bool(true)
sum 1560; EVALSHA >= 40: true; EVAL <= 8: true
0 NOSCRIPT in the log
