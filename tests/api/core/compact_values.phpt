--TEST--
Values of scalars and arrays of scalars (the compact encoding) and values that need the serializer arrive exactly as sent, both ways
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
$echo = static fn (mixed ...$args) => $args;

$deep = 'leaf';
for ($i = 0; $i < 20; $i++) {
    $deep = [$deep];  // deeper than the compact encoding goes: the serializer takes it
}
$values = [
    'scalars' => [null, true, false, 0, -1, PHP_INT_MAX, PHP_INT_MIN, 0.1, -0.0, 1e308, INF, -INF, '', "\0\xff\x80", 'ĥéllo'],
    'keys' => [5 => 'a', -3 => 'b', 'x' => 'c', '' => 'd', "k\0ey" => 'e', PHP_INT_MAX => 'f'],
    'nested' => [[1], ['a' => null, 'b' => false], [], [[[]]]],
    'big' => range(1, 5000),
    'big_string' => str_repeat('z', 1 << 20),
    'deep' => $deep,
];
foreach ($values as $name => $value) {
    $back = AsyncTask\dispatch($echo, $value)->wait();
    echo $name, ': ', var_export($back === [$value], true), "\n";
}

// floats travel bit for bit
[$nan, $zero] = AsyncTask\dispatch(static fn () => [NAN, -0.0])->wait();
var_dump(is_nan($nan), fdiv(1, $zero) === -INF);

// use variables and results take the same way
$list = ['p' => 1.5, 'q' => [true, null]];
var_dump(AsyncTask\dispatch(static function () use ($list) { return $list; })->wait() === $list);

// shared references and objects still go through the serializer, which keeps them shared
$shared = [1, 2];
$ref = [&$shared, &$shared];
$back = AsyncTask\dispatch(static function (array $r) { $r[0][] = 3; return $r; }, $ref)->wait();
var_dump($back[1]);
$o = new ArrayObject([1]);
var_dump(AsyncTask\dispatch(static fn (array $pair) => $pair[0] === $pair[1], [$o, $o])->wait());
?>
--EXPECT--
scalars: true
keys: true
nested: true
big: true
big_string: true
deep: true
bool(true)
bool(true)
bool(true)
array(3) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
bool(true)
