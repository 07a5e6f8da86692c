--TEST--
1 MB and 40 MB arguments and results round-trip exactly (md5), through spill files that are removed afterwards
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=4M
memory_limit=512M
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
$tmp = asynctask_test_dir('large');
ini_set('asynctask.tmpdir', $tmp);

// 1 MB each way, and a 1 MB result made in the worker
$mb = random_bytes(1 << 20);
var_dump(AsyncTask\dispatch('md5', $mb)->wait() === md5($mb));
$back = AsyncTask\dispatch('strrev', $mb)->wait();
var_dump(strlen($back), md5($back) === md5(strrev($mb)));
$made = AsyncTask\dispatch(fn (int $n) => str_repeat("\0\xff", $n), 1 << 19)->wait();
var_dump(strlen($made), md5($made) === md5(str_repeat("\0\xff", 1 << 19)));

// 40 MB each way (ten times the queue): spilled to files
$big = '';
for ($i = 0; $i < 40; $i++) {
    $big .= random_bytes(1 << 20);
}
$sum = md5($big);
$back = AsyncTask\dispatch(fn (string $s) => $s . '!', $big)->wait();
var_dump(strlen($back), md5($back) === md5($big . '!'));
unset($back);

// several large ones in flight at once
$futures = [];
for ($i = 0; $i < 4; $i++) {
    $futures[$i] = AsyncTask\dispatch(fn (string $s, int $i) => [$i, md5($s), strlen($s)], substr($big, $i << 20, 10 << 20), $i);
}
foreach (AsyncTask\Future::all($futures) as $i => [$j, $md5, $len]) {
    var_dump($j === $i && $len === 10 << 20 && $md5 === md5(substr($big, $i << 20, 10 << 20)));
}
var_dump(md5($big) === $sum);

// while the worker is held, a queued 40 MB task waits in a 0600 spill file in the pool's
// private (0700) directory under asynctask.tmpdir
$gate = "$tmp/gate";
$held = AsyncTask\dispatch(fn (string $gate) => asynctask_test_wait_for($gate), $gate);
$queued = AsyncTask\dispatch('strlen', $big);
$spills = glob("$tmp/asynctask-*/spill-" . getmypid() . "-*");
var_dump(count($spills), $spills ? decoct(fileperms($spills[0]) & 0777) : null,
    $spills ? decoct(fileperms(dirname($spills[0])) & 0777) : null);
touch($gate);
var_dump($held->wait(), $queued->wait());
unlink($gate);

// nothing left behind in asynctask.tmpdir: no spill file, and no pool directory once it stopped
var_dump(glob("$tmp/asynctask-*/spill-*"));
AsyncTask\Pool::stop();
var_dump(scandir($tmp));
?>
--EXPECT--
bool(true)
int(1048576)
bool(true)
int(1048576)
bool(true)
int(41943041)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
int(1)
string(3) "600"
string(3) "700"
bool(true)
int(41943040)
array(0) {
}
array(2) {
  [0]=>
  string(1) "."
  [1]=>
  string(2) ".."
}
