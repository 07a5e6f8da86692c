--TEST--
Redis backend end to end, AsyncTask\events(): a stream_select() loop collects 200 results from a real node as they come (every value right, at most one wake-up per result), is not woken while a task runs, and is idle once all are collected
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';
$dir = asynctask_test_dir('e2e-events');
$ini = e2e_ini('events');
[$proc, $pid, $log] = e2e_node($dir, 'node-a', $ini, 4);
e2e_dispatcher($ini);

function readable($stream, float $seconds): bool
{
    $r = [$stream];
    $w = $e = null;
    return stream_select($r, $w, $e, (int) $seconds, (int) (fmod($seconds, 1) * 1e6)) === 1;
}

$events = AsyncTask\events();
var_dump(AsyncTask\dispatch('strtoupper', 'node up')->wait(30));   // the node serves

$slow = AsyncTask\dispatch(static function (): string { usleep(600000); return 'slow'; });
echo "while a task runs: ", var_export(readable($events, 0.3), true), "\n";
echo "once it ended: ", var_export(readable($events, 10), true), ", ", $slow->isDone() ? $slow->wait(0) : 'not done', "\n";

$futures = [];
for ($i = 0; $i < 200; $i++) {
    $futures[$i] = AsyncTask\dispatch(static function (int $i): int { usleep(($i % 5) * 1000); return $i * 3; }, $i);
}
$pending = $futures;
$values = [];
$wakes = 0;
while ($pending && readable($events, 30)) {
    $wakes++;
    foreach ($pending as $i => $f) {
        if ($f->isDone()) {
            $values[$i] = $f->wait(0);
            unset($pending[$i]);
        }
    }
}
ksort($values);
echo count($values), " values right: ", var_export($values === array_map(static fn ($i) => $i * 3, range(0, 199)), true),
    ", at most one wake-up per result: ", var_export($wakes <= 200, true), "\n";
echo "collected: ", var_export(readable($events, 0.3), true), "\n";
?>
--EXPECT--
string(7) "NODE UP"
while a task runs: false
once it ended: true, slow
200 values right: true, at most one wake-up per result: true
collected: false
