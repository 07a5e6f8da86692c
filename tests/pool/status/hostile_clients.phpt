--TEST--
Status endpoint under hostile clients (1,000 idle connections, a 10 MB request header): a task's time limit still fires on time, the endpoint still answers others, the huge header is refused
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

$idle = [];
for ($i = 0; $i < 1000; $i++) {
    $c = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    if ($c) {
        fwrite($c, "GET /metrics HTTP/1.1\r\nHost: x\r\n");  // and never the end of the header
        $idle[] = $c;
    }
}
echo 'idle connections: ', count($idle), "\n";

$big = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
stream_set_blocking($big, false);
fwrite($big, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ");
$chunk = str_repeat('a', 65536);
$sent = 0;
$start = microtime(true);
$future = (new AsyncTask\Task(fn() => sleep(10)))->withTimeout(0.3)->dispatch();
// push up to 10 MB while the time limit runs; the server cuts us off long before
while ($sent < 10 * 1024 * 1024 && microtime(true) - $start < 3) {
    $n = @fwrite($big, $chunk);
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
[$code, , $body] = status_get("tcp://127.0.0.1:$port", '/metrics', 'hostile-token');
echo "metrics while they hang on: $code, timed_out ",
    status_parse_metrics($body)['asynctask_tasks_total{queue="default",outcome="timed_out"}'], "\n";
stream_set_blocking($big, true);
stream_set_timeout($big, 5);
$answer = (string) fread($big, 200);
echo 'the big header: ', $sent < 10 * 1024 * 1024 || preg_match('/^HTTP\/1\.[01] 4\d\d/', $answer) ? 'refused' : 'accepted', "\n";
foreach ($idle as $c) {
    fclose($c);
}
?>
--EXPECT--
idle connections: 1000
time limit fired within 1.5 s: true
metrics while they hang on: 200, timed_out 1
the big header: refused
