--TEST--
Status endpoint: a client that sends its request a byte at a time (never idle long enough for evhttp's timeout) is cut off 10 s after it connected; a keep-alive client asking every 2 s on one connection is not; tasks run meanwhile
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/status.inc';
$port = status_free_port();
ini_set('asynctask.status_listen', "127.0.0.1:$port");
AsyncTask\dispatch('strlen', 'warm')->wait(10);

$slow = [];
for ($i = 0; $i < 3; $i++) {
    $slow[$i] = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    stream_set_blocking($slow[$i], false);
}
$kept = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
$request = "GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Slow: ";
$start = microtime(true);
$cut = [];
$answers = 0;
$ran = 0;
$next_ask = 0;
while (microtime(true) - $start < 14 && count($cut) < 3) {
    $t = microtime(true) - $start;
    foreach ($slow as $i => $c) {
        if (isset($cut[$i])) {
            continue;
        }
        $byte = $t < 0.5 ? $request : 'a';
        if (@fwrite($c, $byte) === false || (fread($c, 100) === '' && feof($c))) {
            $cut[$i] = $t;
        }
    }
    if ($t >= $next_ask) {
        fwrite($kept, "GET /api/stats HTTP/1.1\r\nHost: x\r\n\r\n");
        $head = '';
        while (!str_contains($head, "\r\n\r\n") && !feof($kept)) {
            $head .= fread($kept, 1);
        }
        preg_match('/Content-Length: (\d+)/i', $head, $m);
        $body = '';
        while (strlen($body) < (int) ($m[1] ?? 0) && !feof($kept)) {
            $body .= fread($kept, (int) $m[1] - strlen($body));
        }
        $answers += str_starts_with($head, 'HTTP/1.1 200') && json_decode($body) !== null;
        $next_ask = $t + 2;
    }
    $ran += AsyncTask\dispatch('strlen', 'abc')->wait(10) === 3;
    usleep(300000);
}
echo 'slow clients cut: ', count($cut), "\n";
echo 'cut between 9 and 13 s after they came: ', var_export(min($cut) > 9 && max($cut) < 13, true), "\n";
echo 'keep-alive client answered on one connection: ', var_export($answers >= 5, true), "\n";
echo 'tasks ran meanwhile: ', var_export($ran > 20, true), "\n";
[$code, , $body] = status_get("tcp://127.0.0.1:$port", '/metrics');
echo "metrics: $code, cut for time: ", status_parse_metrics($body)['asynctask_status_connections_cut_total{reason="timed_out"}'], "\n";
?>
--EXPECT--
slow clients cut: 3
cut between 9 and 13 s after they came: true
keep-alive client answered on one connection: true
tasks ran meanwhile: true
metrics: 200, cut for time: 3
