--TEST--
Redis Future::wait() costs one blocking round trip: 20 dispatch()->wait() through a node (a private redis-server, its command counts this test's alone) send 20 XADD and 20 BLMOVE, no LRANGE, and the LTRIM of each booked result goes with the next command (none is left on the reply list); the dispatcher's connection killed right after a result was booked (its LTRIM not sent yet): that result is read again and dropped quietly (no refusal logged), the next Future gets its own value, and nothing is left on the list at the end
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('dispatch_round_trips');
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
ini_set('asynctask.prefix', 'trips');
ini_set('asynctask.log', "$dir/log");

/** calls of each command so far (INFO commandstats) */
function calls(): array
{
    $out = [];
    foreach (explode("\n", redisCommand('INFO', 'commandstats')) as $line) {
        if (preg_match('/^cmdstat_(\w+):calls=(\d+)/', trim($line), $m)) {
            $out[$m[1]] = (int) $m[2];
        }
    }
    return $out;
}

/** One command on a connection of its own (not the dispatcher's). */
function raw(string $socket, array $args): string
{
    $s = stream_socket_client("unix://$socket");
    $out = '*' . count($args) . "\r\n";
    foreach ($args as $a) {
        $out .= '$' . strlen($a) . "\r\n$a\r\n";
    }
    fwrite($s, $out);
    $reply = fgets($s);
    if ($reply[0] === '$') {
        $reply = stream_get_contents($s, (int) substr($reply, 1) + 2);
    }
    fclose($s);
    return $reply;
}

AsyncTask\Pool::start(1);
AsyncTask\dispatch(fn () => 1)->wait(20);   // the node is up
$before = calls();
$sum = 0;
for ($i = 0; $i < 20; $i++) {
    $sum += AsyncTask\dispatch(fn ($i) => $i, $i)->wait(20);
}
$after = calls();
$delta = fn ($c) => ($after[$c] ?? 0) - ($before[$c] ?? 0);
var_dump($sum, $delta('xadd'), $delta('blmove'), $delta('lrange'));
// the last LTRIM went with calls()' INFO: the list is empty (and so gone)
var_dump(redisCommand('KEYS', 'trips:r:*'));

// a result booked, then the dispatcher's connection killed before its LTRIM went
var_dump(AsyncTask\dispatch(fn () => 'booked')->wait(20));
$clients = raw("$dir/redis.sock", ['CLIENT', 'LIST']);
preg_match('/^id=(\d+) .* cmd=blmove\b/m', $clients, $m) || print("no dispatcher connection found\n");
var_dump(trim(raw("$dir/redis.sock", ['CLIENT', 'KILL', 'ID', $m[1]])));
var_dump(AsyncTask\dispatch(fn () => 'next')->wait(20));
var_dump(AsyncTask\dispatch(fn () => 'last')->wait(20), redisCommand('KEYS', 'trips:r:*'));
AsyncTask\Pool::stop();
var_dump(str_contains(file_get_contents("$dir/log"), 'dropped a result'));
asynctask_test_rmdir($dir);
?>
--EXPECT--
int(190)
int(20)
int(20)
int(0)
array(0) {
}
string(6) "booked"
string(2) ":1"
string(4) "next"
string(4) "last"
array(0) {
}
bool(false)
