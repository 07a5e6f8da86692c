--TEST--
Redis connection and secret across requests of one server process (PHP's built-in web server, like a php-fpm child): the same connection serves every request; the secret read at startup is kept (the file may become unreadable later) and comes back after a request changed the settings for itself
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/redis.inc';

$dir = asynctask_test_dir('conn_requests');
file_put_contents("$dir/secret", str_repeat('k', 32));
chmod("$dir/secret", 0600);
file_put_contents("$dir/router.php", '<?php
if (isset($_GET["other"])) {
    ini_set("asynctask.secret_file", $_GET["other"]);   // for this request only
}
try {
    // sent to Redis: signed with the secret in force
    $why = strlen(AsyncTask\dispatch("strtoupper", "x")->id()) === 32 ? "secret ok" : "not sent to Redis";
} catch (AsyncTask\BackendException $e) {
    $why = $e->getMessage();
}
echo json_encode([getmypid(), AsyncTask\Testing\redisCommand("CLIENT", "ID"), $why]);
');
$port = redis_test_free_port();
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$server = proc_open([$php, '-n', '-d', 'extension=' . asynctask_test_module(), '-d', 'asynctask.backend=' . redis_test_url(),
    '-d', "asynctask.secret_file=$dir/secret", '-d', 'asynctask.prefix=' . redis_test_key('p'), '-S', "127.0.0.1:$port", "$dir/router.php"],
    [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/server.log", 'w'], 2 => ['file', "$dir/server.log", 'a']], $pipes);
register_shutdown_function(function () use ($server) {
    proc_terminate($server, SIGKILL);
    proc_close($server);
});
for ($i = 0; $i < 200 && !@stream_socket_client("tcp://127.0.0.1:$port"); $i++) {
    usleep(25000);
}
function request(int $port, string $query = ''): array
{
    return json_decode(file_get_contents("http://127.0.0.1:$port/?$query"), true) ?? ['no answer'];
}

$first = request($port);
var_dump($first[2]);
// readable by others from now on: refused if read again, but the startup copy is kept
chmod("$dir/secret", 0644);
$again = [request($port), request($port)];
foreach ($again as $answer) {
    var_dump($answer[0] === $first[0], $answer[1] === $first[1], $answer[2]);
}
// a request that names another file: refused for that request only
echo str_replace([$dir, redis_test_env('PORT')], ['DIR', 'PORT'], request($port, 'other=' . urlencode("$dir/missing"))[2]), "\n";
$after = request($port);
var_dump($after[1] === $first[1], $after[2]);
?>
--EXPECT--
string(9) "secret ok"
bool(true)
bool(true)
string(9) "secret ok"
bool(true)
bool(true)
string(9) "secret ok"
asynctask.backend=redis://:***@127.0.0.1:PORT: asynctask.secret_file=DIR/missing cannot be opened: No such file or directory
bool(true)
string(9) "secret ok"
