--TEST--
asynctask.tmpdir that other users could write without the sticky bit is refused with a message naming the fix; a sticky one (like /tmp) or a private one is used
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('tmpdir_refused');
umask(0);
foreach (['world-writable' => 0777, 'group-writable' => 0770, 'sticky' => 01777, 'private' => 0700] as $name => $mode) {
    mkdir("$dir/$name");
    chmod("$dir/$name", $mode);
    ini_set('asynctask.tmpdir', "$dir/$name");
    try {
        $got = AsyncTask\dispatch('strtoupper', $name)->wait(10);
        // the runtime directory inside is private whatever the tmpdir's mode
        $runtime = glob("$dir/$name/asynctask-*");
        printf("%s: %s, runtime directory %o\n", $name, $got, fileperms($runtime[0]) & 07777);
        Pool::stop();
        var_dump(glob("$dir/$name/*"));
    } catch (AsyncTask\Exception $e) {
        echo "$name: ", get_class($e), ': ', str_replace($dir, 'DIR', $e->getMessage()), "\n";
        var_dump(glob("$dir/$name/*"));
    }
}
?>
--EXPECT--
world-writable: AsyncTask\Exception: asynctask.tmpdir DIR/world-writable (mode 0777) is writable by other users without the sticky bit: they could swap the pool's files. Use a directory only this user can write, or set its sticky bit (chmod +t, as /tmp has)
array(0) {
}
group-writable: AsyncTask\Exception: asynctask.tmpdir DIR/group-writable (mode 0770) is writable by other users without the sticky bit: they could swap the pool's files. Use a directory only this user can write, or set its sticky bit (chmod +t, as /tmp has)
array(0) {
}
sticky: STICKY, runtime directory 700
array(0) {
}
private: PRIVATE, runtime directory 700
array(0) {
}
