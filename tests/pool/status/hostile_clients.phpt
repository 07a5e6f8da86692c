--TEST--
Status endpoint under hostile clients (1,000 connections that never finish their request, a 10 MB request header): the manager holds at most 64 of them at once, still answers /metrics at once (the oldest idle one is pushed out), a task's time limit still fires on time, tasks still run, the huge header is refused
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.workers=1
asynctask.log=/dev/null
asynctask.status_token=hostile-token
--FILE--
<?php
require __DIR__ . '/status.inc';
$port = status_free_port();
ini_set('asynctask.status_listen', "127.0.0.1:$port");
AsyncTask\dispatch('strlen', 'warm')->wait(10);
$manager = AsyncTask\Pool::stats()['manager_pid'];
$endpoint_fds = function () use ($manager, $port): int {
    // the manager's sockets connected on the endpoint's port (/proc/net/tcp: local address, state 01)
    $inodes = [];
    foreach (glob("/proc/$manager/fd/*") as $fd) {
        if (preg_match('/^socket:\[(\d+)\]$/', (string) @readlink($fd), $m)) {
            $inodes[$m[1]] = true;
        }
    }
    // by inode: /proc/net/tcp, read while sockets come and go, may list one twice
    $connected = [];
    foreach (file('/proc/net/tcp') as $line) {
        $f = preg_split('/\s+/', trim($line));
        if (isset($inodes[$f[9] ?? '']) && $f[3] === '01' && hexdec(explode(':', $f[1])[1]) === $port) {
            $connected[$f[9]] = true;
        }
    }
    return count($connected);
};

// 1,000 clients connect (without waiting: past the cap they wait in the
// kernel's backlog) and send the start of a request, never its end
$pending = [];
for ($i = 0; $i < 1000; $i++) {
    $c = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5, STREAM_CLIENT_CONNECT | STREAM_CLIENT_ASYNC_CONNECT);
    if ($c) {
        $pending[] = $c;
    }
}
echo 'clients: ', count($pending), "\n";
$held = [];
$most = 0;
$deadline = microtime(true) + 3;
while ($pending && microtime(true) < $deadline) {
    $r = null; $e = null; $w = $pending;
    if (@stream_select($r, $w, $e, 0, 100000)) {
        foreach ($w as $c) {
            if (@fwrite($c, "GET /metrics HTTP/1.1\r\nHost: x\r\n")) {
                $held[] = $c;
            }
            unset($pending[array_search($c, $pending, true)]);
        }
    }
    $most = max($most, $endpoint_fds());
}
echo 'connected and sending: ', count($held) >= 64 ? 'at least 64' : count($held), "\n";

$big = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5, STREAM_CLIENT_CONNECT | STREAM_CLIENT_ASYNC_CONNECT);
stream_set_blocking($big, false);
$chunk = str_repeat('a', 65536);
$sent = 0;
$start = microtime(true);
$future = (new AsyncTask\Task(fn() => sleep(10)))->withTimeout(0.3)->dispatch();
// push up to 10 MB while the time limit runs; the server cuts us off long before
$head = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ";
while ($sent < 10 * 1024 * 1024 && microtime(true) - $start < 3) {
    $n = @fwrite($big, $sent ? $chunk : $head);
    if ($n === false) {
        break;
    }
    $sent += $n;
    if ($n === 0) {
        usleep(1000);
    }
}
try {
    $future->wait(10);
} catch (AsyncTask\TaskTimeoutException $e) {
    $elapsed = microtime(true) - $start;
    echo 'time limit fired within 1.5 s: ', var_export($elapsed < 1.5, true), "\n";
}
$asked = microtime(true);
[$code, , $body] = status_get("tcp://127.0.0.1:$port", '/metrics', 'hostile-token');
$took = microtime(true) - $asked;
$m = status_parse_metrics($body);
echo "metrics while they hang on: $code within 2 s: ", var_export($took < 2, true), ", timed_out ",
    $m['asynctask_tasks_total{queue="default",outcome="timed_out"}'], ", connections <= 64: ",
    var_export($m['asynctask_status_connections'] <= 64, true), ", pushed out: ",
    var_export($m['asynctask_status_connections_cut_total{reason="pushed_out"}'] > 0, true), "\n";
$most = max($most, $endpoint_fds());
echo 'the manager held at most 64 of them: ', var_export($most <= 64, true), " (and some: ", var_export($most > 0, true), ")\n";
$futures = [];
for ($i = 0; $i < 20; $i++) {
    $futures[] = AsyncTask\dispatch('str_repeat', 'x', $i);
}
echo 'tasks still run: ', array_sum(array_map(fn($f) => strlen($f->wait(10)), $futures)), "\n";
stream_set_blocking($big, true);
stream_set_timeout($big, 5);
$answer = (string) fread($big, 200);
echo 'the big header: ', $sent < 10 * 1024 * 1024 || preg_match('/^HTTP\/1\.[01] 4\d\d/', $answer) ? 'refused' : 'accepted', "\n";
foreach (array_merge($held, $pending) as $c) {
    fclose($c);
}
?>
--EXPECT--
clients: 1000
connected and sending: at least 64
time limit fired within 1.5 s: true
metrics while they hang on: 200 within 2 s: true, timed_out 1, connections <= 64: true, pushed out: true
the manager held at most 64 of them: true (and some: true)
tasks still run: 190
the big header: refused
