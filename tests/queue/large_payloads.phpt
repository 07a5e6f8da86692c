--TEST--
1 MB and 40 MB arguments and results round-trip exactly (spilled through 0600 files that are removed)
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
memory_limit=512M
--FILE--
<?php
$tmp = sys_get_temp_dir() . '/asynctask-test-' . getmypid();
mkdir($tmp, 0700);
ini_set('asynctask.tmpdir', $tmp);

$mb = random_bytes(1 << 20);
var_dump(AsyncTask\dispatch('md5', $mb)->wait() === md5($mb));
var_dump(AsyncTask\dispatch('strrev', $mb)->wait() === strrev($mb));

$big = str_repeat(random_bytes(1024), 40 << 10);
$back = AsyncTask\dispatch(fn (string $s) => $s . '!', $big)->wait();
var_dump(strlen($back), md5($back) === md5($big . '!'));

var_dump(glob("$tmp/asynctask-spill-*") === []);
AsyncTask\Pool::stop();
rmdir($tmp);
?>
--EXPECT--
bool(true)
bool(true)
int(41943041)
bool(true)
bool(true)
