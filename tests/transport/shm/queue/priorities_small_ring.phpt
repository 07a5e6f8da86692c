--TEST--
Priorities in a small ring (64K): 4,000 tasks of mixed levels and sizes, some cancelled, wrap around the ring many times while HIGH ones are taken out of turn behind waiting LOW ones and producers wait for room: each task runs exactly once with its own arguments, cancelled ones never, and the counts agree
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
asynctask.queue_size=64K
asynctask.dispatch_timeout=30
--FILE--
<?php
use AsyncTask\Task;

mt_srand(11);
$futures = [];
$cancelled = 0;
for ($i = 0; $i < 4000; $i++) {
    $pad = str_repeat('x', mt_rand(0, 600));
    $f = (new Task(fn (int $i, string $pad) => [$i, strlen($pad)], $i, $pad))
        ->withPriority(mt_rand(-1, 1))
        ->dispatch();
    if ($i % 37 === 5 && $f->cancel()) {
        $cancelled++;
        continue;
    }
    $futures[$i] = [$f, strlen($pad)];
}
$bad = 0;
foreach ($futures as $i => [$f, $len]) {
    if ($f->wait(60) !== [$i, $len]) {
        $bad++;
    }
}
$s = AsyncTask\Pool::stats();
var_dump($bad, $cancelled > 0, $s['dispatched'], $s['completed'] === 4000 - $cancelled, $s['cancelled'] === $cancelled,
    $s['failed'], $s['queued']);
?>
--EXPECT--
int(0)
bool(true)
int(4000)
bool(true)
bool(true)
int(0)
int(0)
