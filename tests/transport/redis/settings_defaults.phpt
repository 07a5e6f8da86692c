--TEST--
Redis backend settings: every DESIGN section 4 setting exists with its default; "" (this machine) stays the backend; phpinfo() says the backend is compiled in and never prints a secret or a password
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['backend']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
foreach (['backend', 'secret', 'secret_file', 'prefix', 'node', 'visibility_timeout', 'max_attempts', 'result_ttl',
    'app_root', 'redis_replicas'] as $name) {
    echo "asynctask.$name = ", var_export(ini_get("asynctask.$name"), true), "\n";
}
// the local backend is in force: dispatch() runs here
var_dump(AsyncTask\dispatch('strtoupper', 'local')->wait());

ini_set('asynctask.backend', 'redis://app:pa55-w0rd@10.0.0.7:6380/2');
ini_set('asynctask.secret', 'a secret of more than thirty-two bytes, never shown');
ob_start();
(new ReflectionExtension('asynctask'))->info();   // phpinfo()'s section of this extension
$info = ob_get_clean();
foreach (explode("\n", $info) as $line) {
    if (preg_match('/^(Redis backend|asynctask\.(backend|secret)) =>/', $line)) {
        echo preg_replace('/hiredis [0-9.]+/', 'hiredis X', $line), "\n";
    }
}
var_dump(str_contains($info, 'pa55-w0rd'), str_contains($info, 'never shown'));
// the consumer name: the hostname unless asynctask.node says otherwise
var_dump(str_contains($info, 'Redis consumer name (asynctask.node) => ' . gethostname() . "\n"));
ini_set('asynctask.node', 'worker-7');
ob_start();
(new ReflectionExtension('asynctask'))->info();
var_dump(str_contains(ob_get_clean(), "Redis consumer name (asynctask.node) => worker-7\n"));
?>
--EXPECT--
asynctask.backend = ''
asynctask.secret = ''
asynctask.secret_file = ''
asynctask.prefix = 'asynctask'
asynctask.node = ''
asynctask.visibility_timeout = '300'
asynctask.max_attempts = '3'
asynctask.result_ttl = '3600'
asynctask.app_root = ''
asynctask.redis_replicas = '0'
string(5) "LOCAL"
Redis backend => compiled in (hiredis X)
asynctask.backend => redis://app:***@10.0.0.7:6380/2 => no value
asynctask.secret => (set, 51 bytes) => no value
bool(false)
bool(false)
bool(true)
bool(true)
