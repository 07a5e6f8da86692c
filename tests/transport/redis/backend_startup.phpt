--TEST--
A remote backend configured at startup without a usable secret: a startup warning naming asynctask.backend and the secret settings, then AsyncTask\BackendException at dispatch(); a backend URL refused at startup leaves dispatch() refusing too (never running the tasks here instead); a usable one sends to Redis
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['backend']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$script = __DIR__ . '/backend_startup.child.php';
file_put_contents($script, '<?php
try {
    AsyncTask\dispatch("strtoupper", "x");
    echo "DISPATCHED\n";
} catch (AsyncTask\BackendException $e) {
    echo "BackendException: ", $e->getMessage(), "\n";
}
');
echo "-- no secret\n";
echo shell_exec(asynctask_test_command($script, ['asynctask.backend' => 'unix:///run/redis.sock']));
echo "-- a 10-byte secret\n";
echo shell_exec(asynctask_test_command($script, ['asynctask.backend' => 'redis://redis.internal', 'asynctask.secret' => '0123456789']));
echo "-- a URL refused at startup\n";
echo shell_exec(asynctask_test_command($script, ['asynctask.backend' => 'redis://app:hunter2@redis.internal:99999']));
echo "-- a usable configuration: no warning\n";
echo shell_exec(asynctask_test_command($script, ['asynctask.backend' => 'redis://127.0.0.1:1', 'asynctask.secret' => str_repeat('k', 32),
    'asynctask.dispatch_timeout' => '0']));
?>
--CLEAN--
<?php @unlink(__DIR__ . '/backend_startup.child.php'); ?>
--EXPECTF--
-- no secret

Warning: PHP Startup: asynctask.backend=unix:///run/redis.sock: a remote backend signs every task and result: set asynctask.secret_file (or asynctask.secret) to at least 32 random bytes, the same on every node (e.g. openssl rand -hex 32) in Unknown on line 0
BackendException: asynctask.backend=unix:///run/redis.sock: a remote backend signs every task and result: set asynctask.secret_file (or asynctask.secret) to at least 32 random bytes, the same on every node (e.g. openssl rand -hex 32)
-- a 10-byte secret

Warning: PHP Startup: asynctask.backend=redis://redis.internal: asynctask.secret holds 10 bytes: a remote backend needs a secret of at least 32 bytes (e.g. openssl rand -hex 32) in Unknown on line 0
BackendException: asynctask.backend=redis://redis.internal: asynctask.secret holds 10 bytes: a remote backend needs a secret of at least 32 bytes (e.g. openssl rand -hex 32)
-- a URL refused at startup

Warning: PHP Startup: Invalid value "redis://app:***@redis.internal:99999" for asynctask.backend: the port must be a number from 1 to 65535; the previous or default value stays in force in Unknown on line 0
BackendException: asynctask.backend was refused at startup (see the warning then): tasks are not run on this machine instead; fix the setting
-- a usable configuration: no warning
BackendException: cannot connect to Redis at 127.0.0.1:1: Connection refused (gave up after 1 attempts in %f s, asynctask.dispatch_timeout)
