--TEST--
AsyncTask\map() runs in parallel and keeps keys and order, for arrays and iterators; a failure is thrown
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use function AsyncTask\map;

$dir = asynctask_test_dir('map');

var_dump(map(fn ($v) => $v * 2, ['x' => 1, 'y' => 2, 'z' => 3]));
var_dump(map('strlen', new ArrayIterator([3 => 'aaa', 1 => 'b'])));
var_dump(map('abs', []));

// 'first' finishes last (it waits for 'second'): the result still lists it first.
// With 2 workers this only completes if both items run at the same time.
var_dump(map(function (string $who) use ($dir) {
    if ($who === 'first') {
        return asynctask_test_wait_for("$dir/second-done") ? 'first, after second' : 'first timed out';
    }
    asynctask_test_open("$dir/second-done");
    return 'second';
}, ['first' => 'first', 'second' => 'second']));

function numbers() { yield 'a' => 1; yield 'b' => 2; }
var_dump(map(fn (int $n) => $n + 100, numbers()));

try {
    map(fn (int $n) => intdiv(10, $n), [5, 0, 2]);
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getRemoteClass(), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
array(3) {
  ["x"]=>
  int(2)
  ["y"]=>
  int(4)
  ["z"]=>
  int(6)
}
array(2) {
  [3]=>
  int(3)
  [1]=>
  int(1)
}
array(0) {
}
array(2) {
  ["first"]=>
  string(19) "first, after second"
  ["second"]=>
  string(6) "second"
}
array(2) {
  ["a"]=>
  int(101)
  ["b"]=>
  int(102)
}
DivisionByZeroError: Division by zero
