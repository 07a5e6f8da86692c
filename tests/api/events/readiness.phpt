--TEST--
AsyncTask\events(): a read-only stream that is not readable while nothing has settled (a running task wakes nobody), readable once a Future may have settled, unreadable again once drained with isDone()/wait(0); reading it takes no result
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('events_readiness');

require __DIR__ . '/events.inc';

$events = AsyncTask\events();
var_dump(is_resource($events), get_resource_type($events), stream_get_meta_data($events)['mode']);
echo "nothing dispatched: ", var_export(readable($events, 0.2), true), "\n";

// a task that runs until we let it go
$f = AsyncTask\dispatch(static function (string $flag): string {
    while (!file_exists($flag)) {
        usleep(1000);
    }
    return 'released';
}, "$dir/flag");
echo "task running: ", var_export(readable($events, 0.3), true), ", isDone: ", var_export($f->isDone(), true), "\n";
echo "still running: ", var_export(readable($events, 0.3), true), "\n";
touch("$dir/flag");
echo "settled: ", var_export(readable($events, 30), true), "\n";
// reading the stream reads nothing (an epoll fd): the result stays for the Future
var_dump(in_array(@fread($events, 64), [false, ''], true));
var_dump($f->isDone(), $f->wait(0));
echo "drained: ", var_export(readable($events, 0.2), true), "\n";

// five tasks settling one after the other: one wake-up each at most, never a busy loop
$futures = [];
for ($i = 1; $i <= 5; $i++) {
    $futures[$i] = AsyncTask\dispatch(static function (int $i): int { usleep($i * 60000); return $i; }, $i);
}
$wakes = 0;
$values = [];
while (count($values) < 5) {
    if (!readable($events, 30)) {
        echo "timed out\n";
        break;
    }
    $wakes++;
    foreach ($futures as $i => $future) {
        if (!isset($values[$i]) && $future->isDone()) {
            $values[$i] = $future->wait(0);
        }
    }
}
ksort($values);
echo implode(',', $values), "; wake-ups between 1 and 5: ", var_export($wakes >= 1 && $wakes <= 5, true), "\n";
// a pass that asked every Future may have collected a result before its wake-up came
echo "quiet once drained: ", var_export(settles_quiet($events), true), "\n";

// a failure settles the same way
$g = AsyncTask\dispatch(static function () { throw new DomainException('no'); });
echo "failed: ", var_export(readable($events, 30), true), "\n";
try {
    $g->isDone() && $g->wait(0);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getRemoteClass(), "\n";
}
// plain waits still work in a process with an event stream
var_dump(AsyncTask\dispatch('strrev', 'abc')->wait(10));
?>
--EXPECT--
bool(true)
string(6) "stream"
string(1) "r"
nothing dispatched: false
task running: false, isDone: false
still running: false
settled: true
bool(true)
bool(true)
string(8) "released"
drained: false
1,2,3,4,5; wake-ups between 1 and 5: true
quiet once drained: true
failed: true
AsyncTask\TaskFailedException: DomainException
string(3) "cba"
