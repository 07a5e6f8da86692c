--TEST--
A delayed task larger than a quarter of the queue (Task::delay()) travels in a spill file: it runs no earlier than its delay with its arguments intact; 40 of them (4 MB) wait at once with a 64 KB queue, each file on disk while the manager holds its name, and all run; cancel() of one the manager holds is true, it never runs and its file goes; a stop fails the ones not yet due and leaves no file
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=64K
asynctask.dispatch_timeout=2
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('delay_large');
$tmp = asynctask_test_dir('delay_large_tmp');
ini_set('asynctask.tmpdir', $tmp);
$spills = fn (): int => count(glob("$tmp/*/spill-*"));
$big = fn (int $i): string => str_repeat(chr(65 + $i % 26), 100000);
$task = function (string $dir, string $name, string $data, int $dispatched_ns): array {
    touch("$dir/$name");
    return [strlen($data), md5($data), hrtime(true) - $dispatched_ns];
};

AsyncTask\Pool::start();

// one: never early, its 100,000 bytes intact
$t0 = hrtime(true);
$f = (new Task($task, $dir, 'one', $big(0), $t0))->delay(0.3)->dispatch();
[$len, $md5, $after_ns] = $f->wait(10);
var_dump($len, $md5 === md5($big(0)), $after_ns >= 300000000, $after_ns < 5000000000);

// 40 at once (4 MB, the queue holds 64 KB): none fills the queue, each waits in its file
$futures = [];
$t0 = hrtime(true);
for ($i = 0; $i < 40; $i++) {
    $futures[$i] = (new Task($task, $dir, "m$i", $big($i), $t0))->delay(1.0)->dispatch();
}
$dispatch_ms = (hrtime(true) - $t0) / 1e6;
$held = $spills();
// one more, cancelled once the manager holds it (it takes a delayed task at once: its SIGUSR2)
$c = (new Task($task, $dir, 'cancelled', $big(1), hrtime(true)))->delay(1.0)->dispatch();
AsyncTask\dispatch('usleep', 100000)->wait(5);
var_dump($spills() === $held + 1, $c->cancel());
$ok = 0;
foreach ($futures as $i => $g) {
    [$len, $md5, $after_ns] = $g->wait(30);
    $ok += $len === 100000 && $md5 === md5($big($i)) && $after_ns >= 1000000000;
}
var_dump($held === 40 || $dispatch_ms > 900 ? 'held in files' : "held $held after $dispatch_ms ms", $ok);
try {
    $c->wait(1);
} catch (AsyncTask\Exception $e) {
    echo get_class($e), ': ', preg_replace('/\d+/', 'N', $e->getMessage()), "\n";
}
usleep(200000);
var_dump(file_exists("$dir/cancelled"), $spills());

// a stop with one not yet due: it fails, never runs, no file left
$s = (new Task($task, $dir, 'stopped', $big(2), hrtime(true)))->delay(30)->dispatch();
AsyncTask\dispatch('usleep', 100000)->wait(5);
var_dump($spills());
$stats = AsyncTask\Pool::stats();
var_dump($stats['dispatched'], $stats['completed'], $stats['cancelled']);
AsyncTask\Pool::stop();
try {
    $s->wait(1);
    echo "ran\n";
} catch (AsyncTask\Exception $e) {
    echo "failed\n";
}
var_dump(file_exists("$dir/stopped"), glob("$tmp/*/spill-*"));
?>
--EXPECTF--
int(100000)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(13) "held in files"
int(40)
AsyncTask\Exception: task N was cancelled before it ran
bool(false)
int(0)
int(1)
int(45)
int(43)
int(1)
failed
bool(false)
array(0) {
}
