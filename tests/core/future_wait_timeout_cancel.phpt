--TEST--
Future: wait($timeout) throws TimeoutException and can wait again; cancel() of a queued task; isDone() never blocks
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
use AsyncTask\Future;
use function AsyncTask\dispatch;

$gate = tempnam(sys_get_temp_dir(), 'gate');
unlink($gate);
$blocker = dispatch(function (string $gate) {
    while (!file_exists($gate)) usleep(2000);
    return 'released';
}, $gate);
$queued = dispatch('strtoupper', 'never');

try {
    $blocker->wait(0.2);
} catch (AsyncTask\TimeoutException $e) {
    echo get_class($e), "\n";
}
try {
    Future::all([$blocker], 0.1);
} catch (AsyncTask\TimeoutException $e) {
    echo "all: ", get_class($e), "\n";
}
try {
    Future::any([$blocker, $queued], 0.1);
} catch (AsyncTask\TimeoutException $e) {
    echo "any: ", get_class($e), "\n";
}
var_dump($blocker->isDone());
var_dump($queued->cancel(), $queued->cancel(), $queued->isDone());
try {
    $queued->wait();
} catch (AsyncTask\Exception $e) {
    echo str_contains($e->getMessage(), 'cancelled') ? "cancelled\n" : $e->getMessage();
}
touch($gate);
var_dump($blocker->wait(), $blocker->wait(), $blocker->cancel());
unlink($gate);
var_dump(is_string($blocker->id()) && $blocker->id() !== $queued->id());
?>
--EXPECT--
AsyncTask\TimeoutException
all: AsyncTask\TimeoutException
any: AsyncTask\TimeoutException
bool(false)
bool(true)
bool(false)
bool(true)
cancelled
string(8) "released"
string(8) "released"
bool(false)
bool(true)
