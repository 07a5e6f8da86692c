--TEST--
Named queues and asynctask.max_memory: a worker of one queue that holds more than the limit after a task is replaced in that queue (its tasks then run on the new worker, the respawn counts there); the other queue's worker is untouched
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (getenv('USE_ZEND_ALLOC') === '0') die('skip measures the Zend allocator, which valgrind and ASan runs turn off');
?>
--INI--
asynctask.log=/dev/null
asynctask.queues="default:1,mail:1"
asynctask.max_memory=24M
memory_limit=256M
--FILE--
<?php
use AsyncTask\Task;

$who = fn () => [getmypid(), AsyncTask\context()->queue()];
// keeps 32 MB alive in the worker (a global kept across tasks): over the limit
$grow = function () {
    $GLOBALS['kept'] = str_repeat('m', 32 << 20);
    return getmypid();
};
[$default] = AsyncTask\dispatch($who)->wait(10);
[$mail] = (new Task($who))->onQueue('mail')->dispatch()->wait(10);
var_dump((new Task($grow))->onQueue('mail')->dispatch()->wait(10) === $mail);
// the next mail task runs on its replacement
[$next, $queue] = (new Task($who))->onQueue('mail')->dispatch()->wait(10);
var_dump($next !== $mail, $next !== $default, $queue);
var_dump(AsyncTask\dispatch($who)->wait(10) === [$default, 'default']);
$s = AsyncTask\Pool::stats()['queues'];
var_dump($s['mail']['respawned'], $s['default']['respawned'], $s['mail']['workers'], $s['mail']['failed']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
string(4) "mail"
bool(true)
int(1)
int(0)
int(1)
int(0)
