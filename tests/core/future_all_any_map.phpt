--TEST--
Future::all() keeps keys and throws the first failure in key order after all settle; any(); map() keeps keys and order
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
use AsyncTask\Future;
use function AsyncTask\{dispatch, map};

$futures = ['b' => dispatch('strtoupper', 'x'), 'a' => dispatch('strrev', 'abc'), 7 => dispatch('abs', -3)];
var_dump(Future::all($futures));
var_dump(in_array(Future::any($futures), ['b', 'a', 7], true));

$failing = [
    'ok' => dispatch('abs', -1),
    'first' => dispatch(function () { throw new InvalidArgumentException('one'); }),
    'second' => dispatch(function () { throw new LogicException('two'); }),
];
try {
    Future::all($failing);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ' ', $e->getRemoteClass(), ' ', $e->getMessage(), "\n";
}
var_dump($failing['ok']->isDone(), $failing['second']->isDone());

var_dump(map(fn ($v) => $v * 2, ['x' => 1, 'y' => 2, 'z' => 3]));
var_dump(map('strlen', new ArrayIterator([3 => 'aaa', 1 => 'b'])));
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
bool(true)
AsyncTask\TaskFailedException InvalidArgumentException one
bool(true)
bool(true)
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
