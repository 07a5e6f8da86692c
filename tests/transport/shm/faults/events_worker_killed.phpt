--TEST--
Fault injection: a worker killed right after publishing its result in the caller's mailbox, before it could write the caller's event-stream wake-up: the manager's once-a-second look writes it, so the AsyncTask\events() stream still becomes readable and the value arrives
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;

function readable($stream, float $seconds): bool
{
    $r = [$stream];
    $w = $e = null;
    return stream_select($r, $w, $e, (int) $seconds, (int) (fmod($seconds, 1) * 1e6)) === 1;
}

// every worker (and every replacement) dies the first time it has published a result
putenv('ASYNCTASK_FAULT=mailbox.published:1');
Pool::start();
putenv('ASYNCTASK_FAULT');
$events = AsyncTask\events();
for ($n = 1; $n <= 3; $n++) {
    $f = AsyncTask\dispatch('str_repeat', 'v', $n);
    $start = microtime(true);
    $woke = readable($events, 10);
    $took = microtime(true) - $start;
    printf("task %d: woke %s within 3 s: %s, value: %s\n", $n, var_export($woke, true),
        var_export($took < 3, true), $f->isDone() ? $f->wait(0) : 'not done');
}
$s = fault_test_wait_idle();
echo "workers died: ", $s['respawned'] >= 3 ? 'yes' : "no ({$s['respawned']})", "\n";
Pool::stop();
?>
--EXPECT--
task 1: woke true within 3 s: true, value: v
task 2: woke true within 3 s: true, value: vv
task 3: woke true within 3 s: true, value: vvv
workers died: yes
