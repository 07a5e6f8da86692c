--TEST--
Redis durability: redis-server (its own, appendonly yes, appendfsync always) SIGKILLed while a dispatcher loops on dispatch(), then started again on the same append-only file: every task whose dispatch() returned is in the stream (none lost); a dispatch() that was under way while Redis was down either returned once Redis was back or threw BackendException; ids appear at most twice (a retried XADD whose first reply was lost)
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/redis.inc';
use function AsyncTask\Testing\{redisCommand, wireDecode, signingKey};

$dir = asynctask_test_dir('durability');
$server = redis_test_env('SERVER');
$start = fn () => proc_open([$server, '--port', '0', '--unixsocket', "$dir/redis.sock", '--dir', $dir,
    '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--logfile', "$dir/redis.log"], [], $pipes);
function wait_up(string $socket): bool
{
    for ($i = 0; $i < 400; $i++) {
        if (@stream_socket_client("unix://$socket")) {
            return true;
        }
        usleep(25000);
    }
    return false;
}
function lines(string $file): array
{
    return file_exists($file) ? file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [];
}
function until(callable $ok, float $limit = 30.0): bool
{
    for ($until = microtime(true) + $limit; !$ok(); usleep(20000)) {
        if (microtime(true) > $until) {
            return false;
        }
    }
    return true;
}
$redis = $start();
register_shutdown_function(function () use (&$redis) {
    if (is_resource($redis)) {
        proc_terminate($redis, SIGKILL);
        proc_close($redis);
    }
});
var_dump(wait_up("$dir/redis.sock"));

$ini = [
    'asynctask.backend' => "unix://$dir/redis.sock",
    'asynctask.secret' => bin2hex(random_bytes(24)),
    'asynctask.prefix' => 'durable',
    'asynctask.dispatch_timeout' => '1',
];
// the dispatcher: records each id once its dispatch() has returned, and each refusal
file_put_contents("$dir/dispatcher.php", <<<'PHP'
<?php
$dir = $argv[1];
$ids = fopen("$dir/ids", 'a');
$refused = 0;
for ($i = 0; !file_exists("$dir/stop"); $i++) {
    try {
        $future = AsyncTask\dispatch('str_repeat', 'x', $i % 64);
    } catch (AsyncTask\BackendException $e) {
        $refused++;
        file_put_contents("$dir/refused", $e->getMessage() . "\n", FILE_APPEND);
        continue;
    }
    fwrite($ids, $future->id() . "\n");
    fflush($ids);
}
echo "dispatched $i, refused $refused\n";
PHP);
$dispatcher = proc_open(asynctask_test_command("$dir/dispatcher.php", $ini, [$dir]), [1 => ['pipe', 'w']], $pipes);

var_dump(until(fn () => count(lines("$dir/ids")) >= 300));
proc_terminate($redis, SIGKILL);
proc_close($redis);
$before = count(lines("$dir/ids"));
usleep(300000);
$redis = $start();
var_dump(wait_up("$dir/redis.sock"));
var_dump(until(fn () => count(lines("$dir/ids")) >= $before + 300));
touch("$dir/stop");
$said = trim(stream_get_contents($pipes[1]));
proc_close($dispatcher);
echo preg_replace('/\d+/', 'N', $said), "\n";

// what Redis kept, against what dispatch() returned
foreach ($ini as $k => $v) {
    ini_set($k, $v);
}
$key = signingKey();
$kept = [];
foreach (redisCommand('XRANGE', 'durable:q:default', '-', '+') as [$entry, $fields]) {
    $id = wireDecode($fields[1], 'task', $key)['id'];
    $kept[$id] = ($kept[$id] ?? 0) + 1;
}
$returned = lines("$dir/ids");
$lost = array_diff($returned, array_keys($kept));
echo count($lost), " of the ", count($returned) > 600 ? '600+' : count($returned), " returned ids missing\n";
var_dump(max($kept) <= 2, count(array_unique($returned)) === count($returned));
if ($lost || max($kept) > 2) {
    echo "returned before the kill: $before\n", file_get_contents("$dir/redis.log");
}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
dispatched N, refused N
0 of the 600+ returned ids missing
bool(true)
bool(true)
