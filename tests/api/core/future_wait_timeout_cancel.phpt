--TEST--
Future: id(), isDone() never blocks, wait($timeout) throws TimeoutException and can wait again, all()/any() past their timeout, cancel()
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Future;
use function AsyncTask\dispatch;

$dir = asynctask_test_dir('wait');
$blocker = dispatch(function (string $dir) {
    asynctask_test_open("$dir/running");
    asynctask_test_wait_for("$dir/gate");
    return 'released';
}, $dir);
// one worker, held by $blocker: these stay queued
$queued = dispatch('strtoupper', 'never');
$other = dispatch('strtoupper', 'later');

var_dump(is_string($blocker->id()), $blocker->id() !== $queued->id(), $queued->id() !== $other->id(),
    $blocker->id() === $blocker->id());

$start = hrtime(true);
try {
    $blocker->wait(0.2);
    echo "no timeout\n";
} catch (AsyncTask\TimeoutException $e) {
    $took = asynctask_test_elapsed($start);
    var_dump(get_class($e), $e instanceof AsyncTask\Exception, $took >= 0.19 && $took < 3);
}
try {
    Future::all(['x' => $blocker, 'y' => $other], 0.1);
    echo "no timeout\n";
} catch (AsyncTask\TimeoutException $e) {
    echo "all: ", get_class($e), "\n";
}
try {
    Future::any([$blocker, $other], 0.1);
    echo "no timeout\n";
} catch (AsyncTask\TimeoutException $e) {
    echo "any: ", get_class($e), "\n";
}
try {
    $blocker->wait(0);
    echo "no timeout\n";
} catch (AsyncTask\TimeoutException $e) {
    echo "wait(0): ", get_class($e), "\n";
}
try {
    $blocker->wait(-1);
} catch (ValueError $e) {
    echo "wait(-1): ValueError\n";
}

$start = hrtime(true);
var_dump($blocker->isDone(), $queued->isDone());
var_dump(asynctask_test_elapsed($start) < 0.5);

// cancel: a queued task never runs; a second cancel() is false
var_dump($queued->cancel(), $queued->cancel(), $queued->isDone());
try {
    $queued->wait();
    echo "no exception\n";
} catch (AsyncTask\Exception $e) {
    var_dump(get_class($e) === 'AsyncTask\Exception' || !$e instanceof AsyncTask\TaskFailedException,
        str_contains($e->getMessage(), 'cancelled'));
}
// a running task cannot be cancelled
asynctask_test_wait_for("$dir/running");
var_dump($blocker->cancel());

asynctask_test_open("$dir/gate");
// the same futures after their timeouts: valid, and they settle
var_dump($blocker->wait(), $blocker->wait(), $blocker->isDone(), $blocker->cancel());
var_dump(Future::all(['x' => $blocker, 'y' => $other], 10));
var_dump(Future::any([5 => $other], 10));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
string(26) "AsyncTask\TimeoutException"
bool(true)
bool(true)
all: AsyncTask\TimeoutException
any: AsyncTask\TimeoutException
wait(0): AsyncTask\TimeoutException
wait(-1): ValueError
bool(false)
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(false)
string(8) "released"
string(8) "released"
bool(true)
bool(false)
array(2) {
  ["x"]=>
  string(8) "released"
  ["y"]=>
  string(5) "LATER"
}
int(5)
