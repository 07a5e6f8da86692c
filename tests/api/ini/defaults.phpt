--TEST--
php.ini: every asynctask.* setting exists with its documented default; workers=0 means one per online CPU
--EXTENSIONS--
asynctask
--FILE--
<?php
foreach (['workers', 'queue_size', 'max_payload', 'task_timeout', 'max_requests', 'max_memory', 'queues', 'dispatch_timeout',
    'shutdown_timeout', 'tmpdir', 'serializer', 'bootstrap', 'enable', 'log', 'log_format', 'status_listen', 'status_token'] as $name) {
    echo "asynctask.$name = ", var_export(ini_get("asynctask.$name"), true), "\n";
}
var_dump(count(ini_get_all('asynctask')));
// bootstrap and enable are startup-only; the others can change at run time
var_dump(ini_set('asynctask.bootstrap', '/tmp/x.php'), ini_set('asynctask.enable', '1'));
var_dump(ini_set('asynctask.task_timeout', '2.5'), ini_get('asynctask.task_timeout'));

AsyncTask\Pool::start();
$cpus = (int) trim(shell_exec('nproc'));
var_dump(AsyncTask\Pool::stats()['workers'] === $cpus);
?>
--EXPECT--
asynctask.workers = '0'
asynctask.queue_size = '16M'
asynctask.max_payload = '64M'
asynctask.task_timeout = '0'
asynctask.max_requests = '0'
asynctask.max_memory = '0'
asynctask.queues = ''
asynctask.dispatch_timeout = '5'
asynctask.shutdown_timeout = '30'
asynctask.tmpdir = ''
asynctask.serializer = 'php'
asynctask.bootstrap = ''
asynctask.enable = '0'
asynctask.log = ''
asynctask.log_format = 'text'
asynctask.status_listen = ''
asynctask.status_token = ''
int(27)
bool(false)
bool(false)
string(1) "0"
string(3) "2.5"
bool(true)
