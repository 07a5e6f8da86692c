--TEST--
AsyncTask\events() with many Futures: 1,000 tasks of small, bulk-ring (over 4 KB) and spilled (over 4 MB) results collected by a stream_select() loop, every value right, at most one wake-up per result; the stream keeps working across Pool::stop() and a new pool
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=4
--FILE--
<?php
require __DIR__ . '/events.inc';

function collect($events, array $futures, array $expected): void
{
    $pending = $futures;
    $values = [];
    $wakes = 0;
    while ($pending) {
        if (!readable($events, 60)) {
            echo "timed out with ", count($pending), " pending\n";
            return;
        }
        $wakes++;
        // isDone() collects every result that came: one asked late in a pass can bring the result
        // of a Future asked earlier, and the stream is not readable again for it; ask until a pass
        // finds none newly done
        do {
            $settled = false;
            foreach ($pending as $i => $future) {
                if ($future->isDone()) {
                    $values[$i] = $future->wait(0);
                    unset($pending[$i]);
                    $settled = true;
                }
            }
        } while ($settled && $pending);
    }
    ksort($values);
    echo count($futures), " settled, values right: ", var_export($values === $expected, true),
        ", wake-ups at most one per result: ", var_export($wakes <= count($futures), true), "\n";
    echo "quiet once all settled: ", var_export(settles_quiet($events), true), "\n";
}

$events = AsyncTask\events();
$make = static fn (int $i): string => $i % 250 === 7 ? str_repeat('s', 5 << 20) . $i
    : ($i % 10 === 3 ? str_repeat('b', 6000) . $i : "r$i");
$futures = $expected = [];
for ($i = 0; $i < 1000; $i++) {
    $futures[$i] = AsyncTask\dispatch($make, $i);
    $expected[$i] = $make($i);
}
collect($events, $futures, $expected);

AsyncTask\Pool::stop();
AsyncTask\Pool::start();
$futures = $expected = [];
for ($i = 0; $i < 20; $i++) {
    $futures[$i] = AsyncTask\dispatch('str_repeat', 'x', $i);
    $expected[$i] = str_repeat('x', $i);
}
collect($events, $futures, $expected);
?>
--EXPECT--
1000 settled, values right: true, wake-ups at most one per result: true
quiet once all settled: true
20 settled, values right: true, wake-ups at most one per result: true
quiet once all settled: true
