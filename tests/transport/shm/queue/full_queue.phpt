--TEST--
A queue that stays full past asynctask.dispatch_timeout: QueueFullException; what was queued still completes, and dispatch works again
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=64K
asynctask.dispatch_timeout=0.2
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
use AsyncTask\Future;
use function AsyncTask\dispatch;

$dir = asynctask_test_dir('full');
// the only worker is held until the gate opens: nothing leaves the queue
$blocker = dispatch(function (string $dir) {
    asynctask_test_open("$dir/running");
    return asynctask_test_wait_for("$dir/gate") ? 'released' : 'gate never opened';
}, $dir);
asynctask_test_wait_for("$dir/running");

$queued = [];
$start = hrtime(true);
try {
    for ($i = 0; $i < 10000; $i++) {
        $start = hrtime(true);
        $queued[] = dispatch('strlen', str_repeat('x', 1000));
    }
    echo "never full\n";
} catch (AsyncTask\QueueFullException $e) {
    $took = asynctask_test_elapsed($start);
    var_dump($i >= 10 && $i <= 64, $e instanceof AsyncTask\Exception);
    var_dump(str_contains($e->getMessage(), 'asynctask.dispatch_timeout'), $took >= 0.19 && $took < 3);
}
$s = AsyncTask\Pool::stats();
var_dump($s['queued'] === count($queued), $s['queue_bytes_used'] > 0, $s['queue_bytes_total']);

// the refused task left no trace; the others run once the worker is free
asynctask_test_open("$dir/gate");
var_dump($blocker->wait(), Future::all($queued) === array_fill(0, count($queued), 1000));
var_dump(dispatch('strlen', str_repeat('y', 1000))->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['queued'], $s['queue_bytes_used'], $s['completed'] === count($queued) + 2);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
int(65536)
string(8) "released"
bool(true)
int(1000)
int(0)
int(0)
bool(true)
