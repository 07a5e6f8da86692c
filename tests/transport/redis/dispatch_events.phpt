--TEST--
AsyncTask\events() over Redis, with a node played by hand: not readable while nothing is owed nor while a task waits for its result, readable once a result is in the reply list (also one pushed before the stream re-armed), unreadable again once collected; a forked child gets its own stream and leaves the parent's working
--EXTENSIONS--
asynctask
pcntl
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=1
--FILE--
<?php
require __DIR__ . '/dispatch.inc';

[$secret, $prefix] = dispatch_test_setup('events');

function readable($stream, float $seconds): bool
{
    $r = [$stream];
    $w = $e = null;
    return stream_select($r, $w, $e, (int) $seconds, (int) (fmod($seconds, 1) * 1e6)) === 1;
}

$events = AsyncTask\events();
echo "nothing owed: ", var_export(readable($events, 0.2), true), "\n";
$f = AsyncTask\dispatch('strtoupper', 'abc');
echo "task waiting: ", var_export(readable($events, 0.3), true), ", isDone: ", var_export($f->isDone(), true), "\n";
echo "still waiting: ", var_export(readable($events, 0.2), true), "\n";
[$task] = array_values(node_take($prefix, $secret));
node_return($task, $secret, 'ABC');
echo "result pushed: ", var_export(readable($events, 10), true), "\n";
var_dump($f->isDone(), $f->wait(0));
echo "collected: ", var_export(readable($events, 0.2), true), "\n";

echo "-- three results, one at a time\n";
$futures = [];
foreach (['x', 'y', 'z'] as $s) {
    $futures[$s] = AsyncTask\dispatch('str_repeat', $s, 2);
}
$tasks = array_values(node_take($prefix, $secret));
foreach ($tasks as $i => $t) {
    node_return($t, $secret, "r$i");
    $woke = readable($events, 10);
    $done = array_keys(array_filter($futures, static fn ($f) => $f->isDone()));
    echo "woke: ", var_export($woke, true), ", done: ", implode(',', $done), "\n";
}
echo "collected: ", var_export(readable($events, 0.2), true), "\n";

echo "-- a result that came before the stream re-armed\n";
$g = AsyncTask\dispatch('abs', -3);
[$t] = array_values(node_take($prefix, $secret));
node_return($t, $secret, 3);
usleep(100000);
var_dump(readable($events, 10), $g->isDone(), $g->wait(0));

echo "-- fork\n";
$parent = AsyncTask\dispatch('strrev', 'parent');   // the parent's stream waits for it
$pid = pcntl_fork();
if ($pid === 0) {
    $mine = AsyncTask\events();
    $c = AsyncTask\dispatch('strrev', 'child');
    $report = [readable($mine, 0.2)];
    foreach (node_take($prefix, $secret) as $t) {
        node_return($t, $secret, $t['reply_key']);   // each result tells whose list it went to
    }
    $report[] = readable($mine, 10);
    $report[] = $c->isDone();
    exit($report === [false, true, true] ? 0 : 1);
}
pcntl_waitpid($pid, $status);
var_dump(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
echo "parent's stream: ", var_export(readable($events, 10), true), "\n";
var_dump($parent->isDone(), is_string($parent->wait(0)));
echo "collected: ", var_export(readable($events, 0.2), true), "\n";
?>
--EXPECT--
nothing owed: false
task waiting: false, isDone: false
still waiting: false
result pushed: true
bool(true)
string(3) "ABC"
collected: false
-- three results, one at a time
woke: true, done: x
woke: true, done: x,y
woke: true, done: x,y,z
collected: false
-- a result that came before the stream re-armed
bool(true)
bool(true)
int(3)
-- fork
bool(true)
parent's stream: true
bool(true)
bool(true)
collected: false
