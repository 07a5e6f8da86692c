--TEST--
A remote backend never runs tasks on this machine: dispatch() and map() throw AsyncTask\BackendException without a secret of at least 32 bytes (asynctask.secret, or a secret_file of mode 0600/0400 owned by us or root), naming the setting to fix, and no local pool starts; with a usable secret the task goes to Redis (here: nobody listens, BackendException from the connection)
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['backend']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.dispatch_timeout=0
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';

function attempt(): void
{
    try {
        AsyncTask\dispatch('strtoupper', 'x');
        echo "DISPATCHED\n";
    } catch (AsyncTask\BackendException $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$dir = asynctask_test_dir('backend_refusals');
ini_set('asynctask.backend', 'redis://app:pw@127.0.0.1:1/0');

echo "-- no secret\n";
attempt();
try {
    AsyncTask\map('strtoupper', ['a']);
} catch (AsyncTask\BackendException $e) {
    echo "map(): refused too\n";
}

echo "-- asynctask.secret\n";
ini_set('asynctask.secret', str_repeat('s', 31));
attempt();
ini_set('asynctask.secret', str_repeat('s', 32));
attempt();

echo "-- asynctask.secret_file\n";
ini_set('asynctask.secret_file', "$dir/secret");
attempt();
ini_set('asynctask.secret', '');
attempt();
foreach ([0644, 0640, 0604, 0700, 0600, 0400] as $mode) {
    // a file of its own each: a secret read is kept while the settings name the same file
    file_put_contents($file = sprintf('%s/secret-%04o', $dir, $mode), str_repeat('f', 40) . "\n");
    chmod($file, $mode);
    ini_set('asynctask.secret_file', $file);
    printf('%04o: ', $mode);
    attempt();
}
file_put_contents("$dir/short", str_repeat('f', 31) . "\r\n");
chmod("$dir/short", 0600);
ini_set('asynctask.secret_file', "$dir/short");
attempt();
symlink("$dir/secret-0400", "$dir/link");
ini_set('asynctask.secret_file', "$dir/link");
echo 'a symlink to a 0400 file: ';
attempt();
ini_set('asynctask.secret_file', $dir);
attempt();
if (posix_geteuid() === 0) {
    copy("$dir/secret-0600", "$dir/theirs");
    chmod("$dir/theirs", 0600);
    chown("$dir/theirs", 65534);
    ini_set('asynctask.secret_file', "$dir/theirs");
    attempt();
} else {
    echo "AsyncTask\\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=$dir/theirs belongs to uid 65534: it must belong to this process's user (uid 0) or root, else its owner could change the secret\n";
}

echo "-- back to this machine\n";
ini_set('asynctask.backend', '');
var_dump(AsyncTask\dispatch('strtoupper', 'local')->wait());
?>
--EXPECTF--
-- no secret
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: a remote backend signs every task and result: set asynctask.secret_file (or asynctask.secret) to at least 32 random bytes, the same on every node (e.g. openssl rand -hex 32)
map(): refused too
-- asynctask.secret
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret holds 31 bytes: a remote backend needs a secret of at least 32 bytes (e.g. openssl rand -hex 32)
AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:1: Connection refused (gave up after 1 attempts in %f s, asynctask.dispatch_timeout)
-- asynctask.secret_file
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: both asynctask.secret and asynctask.secret_file are set: set one of them
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/secret cannot be opened: No such file or directory
0644: AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/secret-0644 has mode 0644: it must be 0600 or 0400 (readable by its owner only; chmod 600 it)
0640: AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/secret-0640 has mode 0640: it must be 0600 or 0400 (readable by its owner only; chmod 600 it)
0604: AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/secret-0604 has mode 0604: it must be 0600 or 0400 (readable by its owner only; chmod 600 it)
0700: AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/secret-0700 has mode 0700: it must be 0600 or 0400 (readable by its owner only; chmod 600 it)
0600: AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:1: Connection refused (gave up after 1 attempts in %f s, asynctask.dispatch_timeout)
0400: AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:1: Connection refused (gave up after 1 attempts in %f s, asynctask.dispatch_timeout)
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/short holds 31 bytes: a remote backend needs a secret of at least 32 bytes (e.g. openssl rand -hex 32)
a symlink to a 0400 file: AsyncTask\BackendException: cannot connect to Redis at 127.0.0.1:1: Connection refused (gave up after 1 attempts in %f s, asynctask.dispatch_timeout)
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s is not a regular file
AsyncTask\BackendException: asynctask.backend=redis://app:***@127.0.0.1:1/0: asynctask.secret_file=%s/theirs belongs to uid 65534: it must belong to this process's user (uid 0) or root, else its owner could change the secret
-- back to this machine
string(5) "LOCAL"
