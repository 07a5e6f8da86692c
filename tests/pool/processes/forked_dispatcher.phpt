--TEST--
A process forked from the dispatcher (pcntl_fork) dispatches on the inherited pool and gets its own results; the parent's results stay the parent's
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('forked');
AsyncTask\Pool::start();
$parent = [];
for ($i = 0; $i < 50; $i++) {
    $parent[$i] = AsyncTask\dispatch(fn (int $i) => "parent $i", $i);
}
$children = [];
for ($c = 0; $c < 2; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $mine = [];
        for ($i = 0; $i < 50; $i++) {
            $mine[$i] = AsyncTask\dispatch(fn (int $c, int $i) => "child $c $i", $c, $i);
        }
        $ok = AsyncTask\Future::all($mine) === array_map(fn ($i) => "child $c $i", range(0, 49));
        // a future of the parent cannot be waited on here
        try {
            $parent[0]->wait(1);
            $foreign = 'waited';
        } catch (AsyncTask\Exception $e) {
            $foreign = get_class($e);
        }
        file_put_contents("$dir/child-$c", json_encode([$ok, $foreign]));
        exit(0);
    }
    $children[] = $pid;
}
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
    var_dump(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
}
for ($c = 0; $c < 2; $c++) {
    [$ok, $foreign] = json_decode(file_get_contents("$dir/child-$c"));
    var_dump($ok, $foreign);
}
var_dump(AsyncTask\Future::all($parent) === array_map(fn ($i) => "parent $i", range(0, 49)));
var_dump(AsyncTask\dispatch('strtoupper', 'parent still served')->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['completed'], $s['failed']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
string(19) "AsyncTask\Exception"
bool(true)
string(19) "AsyncTask\Exception"
bool(true)
string(19) "PARENT STILL SERVED"
int(151)
int(0)
