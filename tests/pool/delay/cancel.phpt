--TEST--
Future::cancel() of a delayed task: true while it is not yet due, whether it is still in the queue or the manager holds it already, and then it never runs (wait() throws); false once it has run; stats count the cancellations
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=256K
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('delay_cancel');
$mark = fn (string $name) => touch("$dir/$name");

AsyncTask\Pool::start();
// cancelled at once: the manager may not have taken it yet
$a = (new Task($mark, 'a'))->delay(0.4)->dispatch();
var_dump($a->cancel());
// cancelled once the manager holds it (it takes a delayed task at once: its SIGUSR2)
$b = (new Task($mark, 'b'))->delay(0.4)->dispatch();
$c = (new Task($mark, 'c'))->delay(0.4)->dispatch();
AsyncTask\dispatch('usleep', 100000)->wait(5);
var_dump($b->cancel(), $b->cancel());          // the second: already cancelled
// a task that has run cannot be cancelled
$d = (new Task($mark, 'd'))->delay(0.05)->dispatch();
$d->wait(5);
var_dump($d->cancel());
// many cancelled at once (more than the manager's list of 256 holds before it looks)
$many = [];
for ($i = 0; $i < 600; $i++) {
    $many[] = (new Task($mark, "m$i"))->delay(0.5)->dispatch();
}
$cancelled = 0;
foreach ($many as $i => $f) {
    if ($i % 2 === 0) {
        $cancelled += $f->cancel();
    }
}
var_dump($cancelled);
$c->wait(5);
foreach ($many as $i => $f) {
    if ($i % 2 === 1) {
        $f->wait(10);
    }
}
try {
    $a->wait(1);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), "\n";
}
try {
    $b->wait(1);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), "\n";
}
usleep(200000);
$ran = array_map('basename', glob("$dir/*"));
sort($ran);
var_dump(in_array('a', $ran), in_array('b', $ran), in_array('c', $ran), in_array('d', $ran));
var_dump(count(preg_grep('/^m\d+$/', $ran)), count(array_filter($ran, fn ($n) => preg_match('/^m(\d+)$/', $n, $m) && $m[1] % 2 === 0)));

$s = AsyncTask\Pool::stats();
var_dump($s['cancelled'], $s['completed'], $s['failed']);
?>
--EXPECTF--
bool(true)
bool(true)
bool(false)
bool(false)
int(300)
%s
%s
bool(false)
bool(false)
bool(true)
bool(true)
int(300)
int(0)
int(302)
int(303)
int(0)
