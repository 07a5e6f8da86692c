--TEST--
Future::cancel() of a chain (Task::then()): while a link waits in the queue it is cancelled and the links after it never run; while a link runs, too late (false), and the chain goes on to its end
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('chain_cancel');
AsyncTask\Pool::start();
$step = function (mixed $previous, string $dir, string $name, bool $hold) {
    touch("$dir/$name");
    if ($hold) {
        asynctask_test_wait_for("$dir/go-$name");
    }
    return $name;
};
// the only worker is held by the first link of $a; $b waits in the queue
$a = (new Task($step, null, $dir, 'a1', true))->then(new Task($step, $dir, 'a2', false))->dispatch();
$b = (new Task($step, null, $dir, 'b1', false))->then(new Task($step, $dir, 'b2', false))->dispatch();
var_dump(asynctask_test_wait_for("$dir/a1", 10));
var_dump($b->cancel(), $a->cancel());
asynctask_test_open("$dir/go-a1");
var_dump($a->wait(10));
try {
    $b->wait(5);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), "\n";
}
usleep(200000);
var_dump(file_exists("$dir/b1"), file_exists("$dir/b2"));
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['cancelled']);
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
string(2) "a2"
AsyncTask\Exception
bool(false)
bool(false)
int(2)
int(1)
int(1)
