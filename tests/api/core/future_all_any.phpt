--TEST--
Future::all() keeps keys, settles everything, then throws the first failure in key order; Future::any() returns the first settled key
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Future;
use function AsyncTask\dispatch;

$dir = asynctask_test_dir('all-any');

// values, keys kept in the caller's order (not the completion order)
$futures = ['b' => dispatch('strtoupper', 'x'), 'a' => dispatch('strrev', 'abc'), 7 => dispatch('abs', -3)];
var_dump(Future::all($futures));
var_dump(Future::all([]));

// 'first' fails after 'second' (it waits for the gate 'second' opens): all() still throws 'first'
$failing = [
    'ok' => dispatch('abs', -1),
    'first' => dispatch(function (string $gate) {
        asynctask_test_wait_for($gate);
        throw new InvalidArgumentException('one', 1);
    }, "$dir/second-failed"),
    'second' => dispatch(function (string $gate) {
        asynctask_test_open($gate);
        throw new LogicException('two', 2);
    }, "$dir/second-failed"),
];
try {
    Future::all($failing);
    echo "no exception\n";
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ' ', $e->getRemoteClass(), ' ', $e->getMessage(), ' ', $e->getCode(), "\n";
}
// ... after every future settled
var_dump(array_map(fn (Future $f) => $f->isDone(), $failing));
var_dump($failing['ok']->wait());
try {
    $failing['second']->wait();
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getRemoteClass(), ' ', $e->getMessage(), "\n";
}

// any(): the key of the first future to settle; the held one is still running
$race = [
    'slow' => dispatch(function (string $gate) { asynctask_test_wait_for($gate); return 'slow'; }, "$dir/go"),
    'fast' => dispatch('strtolower', 'FAST'),
];
var_dump(Future::any($race));
var_dump($race['slow']->isDone());
asynctask_test_open("$dir/go");
var_dump(Future::all($race));

// any() counts a failure as settled
$race = [
    3 => dispatch(function (string $gate) { asynctask_test_wait_for($gate); return 3; }, "$dir/go2"),
    9 => dispatch(function () { throw new RuntimeException('boom'); }),
];
var_dump(Future::any($race));
asynctask_test_open("$dir/go2");
var_dump($race[3]->wait());
?>
--EXPECT--
array(3) {
  ["b"]=>
  string(1) "X"
  ["a"]=>
  string(3) "cba"
  [7]=>
  int(3)
}
array(0) {
}
AsyncTask\TaskFailedException InvalidArgumentException one 1
array(3) {
  ["ok"]=>
  bool(true)
  ["first"]=>
  bool(true)
  ["second"]=>
  bool(true)
}
int(1)
LogicException two
string(4) "fast"
bool(false)
array(2) {
  ["slow"]=>
  string(4) "slow"
  ["fast"]=>
  string(4) "fast"
}
int(9)
int(3)
