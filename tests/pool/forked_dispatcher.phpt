--TEST--
A process forked from the dispatcher gets its own results; a socket opened before the pool survives worker exits
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
asynctask.max_requests=1
--FILE--
<?php
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
AsyncTask\Pool::start();
$parent = AsyncTask\dispatch('strtoupper', 'parent');
$pid = pcntl_fork();
if ($pid === 0) {
    $mine = AsyncTask\dispatch('strtoupper', 'child');
    fwrite($b, $mine->wait() . "\n");
    exit(0);
}
pcntl_waitpid($pid, $status);
echo fgets($a);
var_dump($parent->wait());
// workers recycle after every task (max_requests=1): their exits must not close our sockets
for ($i = 0; $i < 6; $i++) AsyncTask\dispatch('abs', -$i)->wait();
fwrite($a, "still open\n");
echo fgets($b);
?>
--EXPECT--
CHILD
string(6) "PARENT"
still open
