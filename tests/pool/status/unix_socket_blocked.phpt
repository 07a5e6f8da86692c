--TEST--
Status endpoint on a unix socket (mode 0600): answers while every worker is blocked in a task, shows what each runs; removed when the pool stops
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.workers=2
asynctask.log=/dev/null
asynctask.status_token=unix-token
--FILE--
<?php
require __DIR__ . '/status.inc';
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('status-unix');
$sock = "$dir/status.sock";
$release = "$dir/release";
ini_set('asynctask.status_listen', "unix:$sock");
$remote = "unix://$sock";

$block = function (string $release): int {
    touch("$release." . getmypid());   // running (its worker has named it to the status endpoint)
    $deadline = microtime(true) + 30;
    while (!file_exists($release) && microtime(true) < $deadline) {
        usleep(10000);
    }
    return getmypid();
};
$futures = [AsyncTask\dispatch($block, $release), AsyncTask\dispatch($block, $release)];
// both running their code, not only taken (a worker names its task once it has decoded it)
for ($i = 0; $i < 3000 && count(glob("$release.*")) < 2; $i++) {
    usleep(10000);
}
clearstatcache();
printf("socket: %s %o\n", filetype($sock), fileperms($sock) & 0777);
[$code] = status_get($remote, '/api/stats');
echo "no token: $code\n";
[$code, , $body] = status_get($remote, '/api/stats', 'unix-token');
$api = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
echo "stats: $code, running {$api['running']}, idle {$api['idle']}\n";
foreach ($api['worker_details'] as $w) {
    printf("%s %s %s %s\n", $w['state'], $w['callable'] === "{closure}@" . __FILE__ . ":10" ? '{closure}@FILE:10' : $w['callable'],
        $w['running_for'] > 0 && abs($w['running_since'] + $w['running_for'] - $api['time']) < 1 ? 'timed' : 'untimed',
        $w['memory'] > 0 || getenv('USE_ZEND_ALLOC') === '0' ? 'memory' : 'no memory');
}
[$code, , $metrics] = status_get($remote, '/metrics', 'unix-token');
$m = status_parse_metrics($metrics);
echo "metrics: $code, busy {$m['asynctask_workers{state="busy"}']}, idle {$m['asynctask_workers{state="idle"}']}\n";
// the workers wait for $release, which nobody made yet: every answer above came while both were blocked
echo 'still blocked: ', AsyncTask\Pool::stats()['running'], "\n";

touch($release);
$pids = [];
foreach ($futures as $f) {
    $pids[] = $f->wait(30);
}
sort($pids);
$expected = array_column($api['worker_details'], 'pid');
sort($expected);
echo 'pids: ', $pids === $expected ? 'match' : 'differ', "\n";
AsyncTask\Pool::stop();
clearstatcache();
echo 'after stop: ', file_exists($sock) ? 'socket left' : 'socket removed', "\n";
?>
--EXPECT--
socket: socket 600
no token: 401
stats: 200, running 2, idle 0
busy {closure}@FILE:10 timed memory
busy {closure}@FILE:10 timed memory
metrics: 200, busy 2, idle 0
still blocked: 2
pids: match
after stop: socket removed
