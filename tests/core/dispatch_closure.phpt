--TEST--
dispatch(): a closure with use variables, an arrow function, a named function and a method run in a worker
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
use function AsyncTask\dispatch;

function add(int $a, int $b): int { return $a + $b; }
class Maths { public static function square(int $x): int { return $x * $x; } }

$k = 10;
var_dump(dispatch(function (int $x) use ($k) { return $x + $k; }, 5)->wait());
var_dump(dispatch(fn (int $x) => $x * $k, 4)->wait());
var_dump(dispatch('add', 2, 3)->wait());
var_dump(dispatch([Maths::class, 'square'], 7)->wait());
var_dump(dispatch('Maths::square', 8)->wait());
var_dump(dispatch(strrev(...), 'abc')->wait());
var_dump(dispatch(fn () => getmypid())->wait() !== getmypid());
?>
--EXPECT--
int(15)
int(40)
int(5)
int(49)
int(64)
string(3) "cba"
bool(true)
