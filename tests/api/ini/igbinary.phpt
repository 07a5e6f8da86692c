--TEST--
asynctask.serializer=igbinary: arguments, use variables, Task objects, results and remote exceptions round-trip
--EXTENSIONS--
igbinary
asynctask
--SKIPIF--
<?php if (!function_exists('igbinary_serialize')) die('skip igbinary not loaded'); ?>
--INI--
asynctask.serializer=igbinary
asynctask.workers=1
--FILE--
<?php
use AsyncTask\Task;

final class Point
{
    public function __construct(public float $x, public float $y, private array $tags = []) {}
    public function tags(): array { return $this->tags; }
}
final class Scale extends Task
{
    public function __construct(private Point $p, private float $by) {}
    public function handle(): mixed { return new Point($this->p->x * $this->by, $this->p->y * $this->by, $this->p->tags()); }
}

var_dump(ini_get('asynctask.serializer'));
$data = ['int' => PHP_INT_MAX, 'float' => 0.1, 'bin' => "\0\xff\x80", 'utf8' => 'ĥéllo', 'nested' => [[1], ['a' => null, 'b' => false]]];
$back = AsyncTask\dispatch(fn (array $d) => $d, $data)->wait();
var_dump($back === $data);

$offset = new Point(1.5, -2, ['origin']);
var_dump(AsyncTask\dispatch(fn (Point $p) => [$p->x + $offset->x, $p->y + $offset->y, $offset->tags()], new Point(1, 1))->wait());
$scaled = (new Scale(new Point(2, 3, ['t']), 10))->dispatch()->wait();
var_dump(get_class($scaled), $scaled->x, $scaled->y, $scaled->tags());

// a result that is a big array of objects
$many = AsyncTask\dispatch(function (int $n) { return array_map(fn ($i) => new Point($i, -$i), range(1, $n)); }, 10000)->wait();
var_dump(count($many), $many[9999] instanceof Point, $many[9999]->y);

try {
    AsyncTask\dispatch(fn () => throw new LengthException('too long', 9))->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump($e->getRemoteClass(), $e->getMessage(), $e->getCode());
}
// the worker really used igbinary: what it got was igbinary-encoded
var_dump(AsyncTask\dispatch(fn () => ini_get('asynctask.serializer') . ' ' . (int) extension_loaded('igbinary'))->wait());
?>
--EXPECT--
string(8) "igbinary"
bool(true)
array(3) {
  [0]=>
  float(2.5)
  [1]=>
  float(-1)
  [2]=>
  array(1) {
    [0]=>
    string(6) "origin"
  }
}
string(5) "Point"
float(20)
float(30)
array(1) {
  [0]=>
  string(1) "t"
}
int(10000)
bool(true)
float(-10000)
string(15) "LengthException"
string(8) "too long"
int(9)
string(10) "igbinary 1"
