--TEST--
AsyncTask\events() after pcntl_fork(): a child that asks gets a stream of its own, woken by its results only; a child that does not ask waits as usual; the parent's stream is not woken by the children's results
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('events_fork');

require __DIR__ . '/events.inc';

$events = AsyncTask\events();
$children = [];
for ($c = 0; $c < 2; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $report = [];
        if ($c === 0) {
            $mine = AsyncTask\events();
            $report[] = $mine !== $events && readable($mine, 0.1) === false;
            $f = AsyncTask\dispatch('strtoupper', "child $c");
            $report[] = readable($mine, 30);
            $report[] = $f->isDone() ? $f->wait(0) : 'not done';
            $report[] = readable($mine, 0.1);
        } else {
            $report[] = AsyncTask\dispatch('strtoupper', "child $c")->wait(30);
        }
        file_put_contents("$dir/child-$c", json_encode($report));
        exit(0);
    }
    $children[] = $pid;
}
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
    var_dump(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
}
for ($c = 0; $c < 2; $c++) {
    echo "child $c: ", file_get_contents("$dir/child-$c"), "\n";
}
echo "parent after the children: ", var_export(readable($events, 0.2), true), "\n";
$f = AsyncTask\dispatch('strrev', 'parent');
echo "parent's own: ", var_export(readable($events, 30), true), "\n";
var_dump($f->isDone(), $f->wait(0));
?>
--EXPECT--
bool(true)
bool(true)
child 0: [true,true,"CHILD 0",false]
child 1: ["CHILD 1"]
parent after the children: false
parent's own: true
bool(true)
string(6) "tnerap"
