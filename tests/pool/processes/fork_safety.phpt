--TEST--
Fork safety: workers and the manager never run the script's shutdown functions or destructors, and a socket opened before the pool survives their exits
--EXTENSIONS--
asynctask
posix
pcntl
--INI--
asynctask.workers=2
asynctask.max_requests=1
asynctask.log=/dev/null
--FILE--
<?php
// a "connection" opened before the pool starts, with a protocol goodbye in its destructor
[$client, $server] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
final class Connection
{
    public function __construct(private $socket) {}
    public function __destruct() { fwrite($this->socket, "QUIT from " . getmypid() . "\n"); }
}
$connection = new Connection($client);
register_shutdown_function(function () use ($client) { fwrite($client, "shutdown in " . getmypid() . "\n"); });

// workers exit after every task (max_requests=1), one is killed, then the pool stops
$pids = [];
for ($i = 0; $i < 6; $i++) {
    $pids[] = AsyncTask\dispatch('getmypid')->wait();
}
try {
    AsyncTask\dispatch(function () { posix_kill(getmypid(), SIGKILL); })->wait();
} catch (AsyncTask\WorkerCrashedException $e) {
    echo "crashed\n";
}
$pids[] = AsyncTask\dispatch('getmypid')->wait();
// 8 tasks, each in its own worker: at least 6 were respawned
var_dump(count(array_unique($pids)), AsyncTask\Pool::stats()['respawned'] >= 6);
AsyncTask\Pool::stop();

// nobody wrote on the socket, and it still works both ways
stream_set_blocking($server, false);
var_dump(fread($server, 4096));
stream_set_blocking($server, true);
fwrite($client, "ping\n");
echo fgets($server);
fwrite($server, "pong\n");
echo fgets($client);

// a file opened before the pool: its position and contents are intact
$file = tmpfile();
fwrite($file, "before\n");
AsyncTask\dispatch(fn () => 'pool again')->wait();
AsyncTask\Pool::stop();
fwrite($file, "after\n");
rewind($file);
echo stream_get_contents($file);
?>
--EXPECT--
crashed
int(7)
bool(true)
string(0) ""
ping
pong
before
after
