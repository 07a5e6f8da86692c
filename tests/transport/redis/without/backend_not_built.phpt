--TEST--
A build without the Redis backend (--without-asynctask-redis, or no hiredis): phpinfo() says so, a backend URL is a startup warning and AsyncTask\BackendException at dispatch() that say the build lacks it and how to get it; it never runs the task on this machine instead
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
require __DIR__ . '/../skipif.inc';
if (redis_backend_compiled()) die('skip this build has the Redis backend (.ci/redis --without runs this test on one that has not)');
?>
--INI--
asynctask.backend=redis://app:s3cret@redis.internal:6379/1
asynctask.secret=0123456789abcdef0123456789abcdef
--FILE--
<?php
ob_start();
(new ReflectionExtension('asynctask'))->info();
foreach (explode("\n", ob_get_clean()) as $line) {
    if (str_starts_with($line, 'Redis backend =>')) {
        echo $line, "\n";
    }
}
try {
    AsyncTask\dispatch('strtoupper', 'x');
    echo "DISPATCHED\n";
} catch (AsyncTask\BackendException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(AsyncTask\Pool::stats()['workers']);
?>
--EXPECT--
Warning: PHP Startup: asynctask.backend=redis://app:***@redis.internal:6379/1: this asynctask was built without the Redis backend (hiredis was not found, or ./configure --without-asynctask-redis); install libhiredis-dev and rebuild, or leave asynctask.backend empty to run tasks on this machine in Unknown on line 0
Redis backend => not compiled in (no hiredis at build time)
AsyncTask\BackendException: asynctask.backend=redis://app:***@redis.internal:6379/1: this asynctask was built without the Redis backend (hiredis was not found, or ./configure --without-asynctask-redis); install libhiredis-dev and rebuild, or leave asynctask.backend empty to run tasks on this machine
int(0)
