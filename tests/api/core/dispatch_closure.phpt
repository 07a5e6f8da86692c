--TEST--
dispatch(): closures with use variables, arrow functions, named functions, static methods and first-class callables run in a worker
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
use AsyncTask\Task;
use function AsyncTask\dispatch;

function add(int $a, int $b): int { return $a + $b; }

class Maths
{
    public function __construct(private int $factor) {}
    public static function square(int $x): int { return $x * $x; }
    public function scaler(): Closure { return fn (int $x) => $x * $this->factor; }
}

$k = 10;
$words = ['alpha' => 1, 'beta' => 2];
$point = new ArrayObject(['x' => 3, 'y' => 4]);
var_dump(dispatch(function (int $x) use ($k, $words, $point) {
    return [$x + $k, array_sum($words), $point['x'] * $point['y'], get_class($point)];
}, 5)->wait());
var_dump(dispatch(fn (int $x) => $x * $k, 4)->wait());
// an arrow function inside an arrow function (implicit captures at both levels)
var_dump(dispatch(fn (array $xs) => array_map(fn ($x) => $x * $k, $xs), [1, 2])->wait());
var_dump(dispatch(static fn (string $a, string ...$rest) => $a . implode('+', $rest), 'v:', 'a', 'b')->wait());
var_dump(dispatch('add', 2, 3)->wait());
var_dump(dispatch([Maths::class, 'square'], 7)->wait());
var_dump(dispatch('Maths::square', 8)->wait());
var_dump(dispatch(strrev(...), 'abc')->wait());
var_dump(dispatch((new Maths(3))->scaler(), 14)->wait());
var_dump((new Task('str_repeat', 'ab', 3))->dispatch()->wait());

// each task really ran in another process, and got copies
$pid = dispatch(fn () => getmypid())->wait();
var_dump(is_int($pid) && $pid !== getmypid());
$list = [1, 2];
var_dump(dispatch(function (array $l) { $l[] = 3; return $l; }, $list)->wait(), $list);
?>
--EXPECT--
array(4) {
  [0]=>
  int(15)
  [1]=>
  int(3)
  [2]=>
  int(12)
  [3]=>
  string(11) "ArrayObject"
}
int(40)
array(2) {
  [0]=>
  int(10)
  [1]=>
  int(20)
}
string(5) "v:a+b"
int(5)
int(49)
int(64)
string(3) "cba"
int(42)
string(6) "ababab"
bool(true)
array(3) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
array(2) {
  [0]=>
  int(1)
  [1]=>
  int(2)
}
