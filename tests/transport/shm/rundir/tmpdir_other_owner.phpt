--TEST--
asynctask.tmpdir owned by another user (who could replace what is in it) is refused, also with the sticky bit
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php
if (!extension_loaded('posix') || posix_geteuid() !== 0) die('skip needs root (chown)');
if (posix_getpwnam('nobody') === false) die('skip no user nobody');
?>
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';

$dir = asynctask_test_dir('tmpdir_other_owner');
$nobody = posix_getpwnam('nobody')['uid'];
mkdir("$dir/theirs");
chmod("$dir/theirs", 01777);
chown("$dir/theirs", $nobody);
ini_set('asynctask.tmpdir', "$dir/theirs");
try {
    AsyncTask\dispatch('strtoupper', 'x')->wait(10);
    echo "dispatched\n";
} catch (AsyncTask\Exception $e) {
    echo str_replace([$dir, (string) $nobody], ['DIR', 'NOBODY'], $e->getMessage()), "\n";
}
var_dump(glob("$dir/theirs/*"));
?>
--EXPECT--
asynctask.tmpdir DIR/theirs belongs to uid NOBODY, who could replace the pool's files there: use a directory owned by root or by this user (uid 0)
array(0) {
}
