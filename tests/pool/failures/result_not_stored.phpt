--TEST--
A result that cannot be stored (too large for the caller's mailbox in shared memory, and asynctask.tmpdir full: an 8 MB tmpfs): its Future settles with TaskFailedException saying why, counted failed (not completed, not dropped); a large result that fits in shared memory needs no file; the pool goes on, and stores results again once there is room
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php
if (posix_getuid() !== 0) die('skip needs root (mounts a tmpfs)');
if (getenv('VALGRIND_OPTS') !== false) die('skip valgrind does not run setuid programs (mount)');
$probe = sys_get_temp_dir() . '/asynctask-phpt-tmpfs-probe-' . getmypid();
@mkdir($probe);
exec('mount -t tmpfs -o size=1m tmpfs ' . escapeshellarg($probe) . ' 2>&1', $out, $rc);
if ($rc === 0) exec('umount ' . escapeshellarg($probe));
@rmdir($probe);
if ($rc !== 0) die('skip cannot mount a tmpfs: ' . implode(' ', $out));
?>
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$mnt = sys_get_temp_dir() . '/asynctask-phpt-result_not_stored-' . getmypid();
@mkdir($mnt, 0700);
exec('mount -t tmpfs -o size=8m,mode=0700 tmpfs ' . escapeshellarg($mnt), $out, $rc);
if ($rc !== 0) {
    die("cannot mount a tmpfs on $mnt\n");
}
register_shutdown_function(function () use ($mnt) {
    exec('umount -l ' . escapeshellarg($mnt));  // lazily: the pool may still be there if the test failed
    @rmdir($mnt);
});
ini_set('asynctask.tmpdir', $mnt);
Pool::start();

// fill it up: what is left cannot hold a result too large for a message (4 KB)
$fill = fopen("$mnt/fill", 'w');
foreach ([65536, 4096, 512] as $chunk) {
    while (@fwrite($fill, str_repeat("\0", $chunk)) === $chunk);
}
fflush($fill);

// larger than a mailbox's bulk ring (4 MB, src/transport/shm/mailbox.h): it needs a file, and
// there is no room for one
$big = fn () => str_repeat('r', 5000000);
try {
    AsyncTask\dispatch($big)->wait(10);
    echo "no exception\n";
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(AsyncTask\dispatch('strrev', 'small results need no file')->wait(10));
// 200 KB: through the caller's mailbox in shared memory, no file
var_dump(strlen(AsyncTask\dispatch(fn () => str_repeat('m', 200000))->wait(10)));

// room again: large results are stored again
fclose($fill);
unlink("$mnt/fill");
var_dump(strlen(AsyncTask\dispatch($big)->wait(10)));

$s = Pool::stats();
printf("dispatched %d, completed %d, failed %d, dropped %d\n", $s['dispatched'], $s['completed'], $s['failed'], $s['dropped_results']);
Pool::stop();
var_dump(glob("$mnt/*"));
?>
--EXPECTF--
AsyncTask\TaskFailedException: the task's result (500%d bytes) could not be stored for its caller in %s/asynctask-%s (asynctask.tmpdir): No space left on device
string(26) "elif on deen stluser llams"
int(200000)
int(5000000)
dispatched 4, completed 3, failed 1, dropped 0
array(0) {
}
