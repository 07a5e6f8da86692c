--TEST--
Pool::stats() of a process that only dispatches to Redis has "queues": for each queue asynctask.queues names, its entries waiting for a node ("queued", all priority levels), taken by a node and not acknowledged ("pending"), in its delayed set ("delayed") and both of the first ("stream_length"), read from Redis at the current backend and prefix; a queue with no stream yet counts 0; "backend_connected" says whether Redis could be read, and when it could not (unreachable past dispatch_timeout), "backend_error" says why and stats() still return the process's counts
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.queues=default:1,mail:2,reports:1
asynctask.dispatch_timeout=1
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use AsyncTask\{Pool, Task};
use function AsyncTask\Testing\redisCommand;

[$secret, $prefix] = dispatch_test_setup('stats_queues');
$show = function (): void {
    foreach (Pool::stats()['queues'] as $name => $q) {
        echo str_pad($name, 8), json_encode($q), "\n";
    }
};

echo "-- nothing sent yet\n";
$show();

echo "-- 3 on default (one of them HIGH, one LOW), 2 on mail and 1 delayed there\n";
$futures = [
    (new Task('strlen', 'a'))->dispatch(),
    (new Task('strlen', 'b'))->withPriority(Task::HIGH)->dispatch(),
    (new Task('strlen', 'c'))->withPriority(Task::LOW)->dispatch(),
    (new Task('strlen', 'd'))->onQueue('mail')->dispatch(),
    (new Task('strlen', 'e'))->onQueue('mail')->dispatch(),
    (new Task('strlen', 'f'))->onQueue('mail')->delay(60)->dispatch(),
];
$show();

echo "-- a node takes one of default's normal level\n";
var_dump(count(node_take($prefix, $secret, 1)));
$show();

echo "-- a queue asynctask.queues does not name is not shown; undeclared queues are still sent\n";
(new Task('strlen', 'g'))->onQueue('other')->dispatch();
var_dump(array_keys(Pool::stats()['queues']), redisCommand('XLEN', "$prefix:q:other"));

echo "-- the counts of this process are still there\n";
$stats = Pool::stats();
var_dump($stats['backend'], $stats['dispatched'], $stats['queued']);

echo "-- another prefix: its own queues\n";
ini_set('asynctask.prefix', $prefix . '-2');
$show();
ini_set('asynctask.prefix', $prefix);

echo "-- Redis unreachable: said in the stats, not thrown\n";
ini_set('asynctask.backend', 'redis://127.0.0.1:1');
$t = microtime(true);
$stats = Pool::stats();
var_dump($stats['backend_connected'], isset($stats['queues']), $stats['backend_error'], $stats['dispatched'],
    microtime(true) - $t < 5);
ini_set('asynctask.backend', redis_test_url());
var_dump(Pool::stats()['backend_connected']);

foreach ($futures as $f) {
    $f->cancel();
}
foreach (redisCommand('KEYS', "$prefix:*") as $key) {
    redisCommand('DEL', $key);
}
?>
--EXPECTF--
-- nothing sent yet
default {"queued":0,"pending":0,"delayed":0,"stream_length":0}
mail    {"queued":0,"pending":0,"delayed":0,"stream_length":0}
reports {"queued":0,"pending":0,"delayed":0,"stream_length":0}
-- 3 on default (one of them HIGH, one LOW), 2 on mail and 1 delayed there
default {"queued":3,"pending":0,"delayed":0,"stream_length":3}
mail    {"queued":2,"pending":0,"delayed":1,"stream_length":2}
reports {"queued":0,"pending":0,"delayed":0,"stream_length":0}
-- a node takes one of default's normal level
int(1)
default {"queued":2,"pending":1,"delayed":0,"stream_length":3}
mail    {"queued":2,"pending":0,"delayed":1,"stream_length":2}
reports {"queued":0,"pending":0,"delayed":0,"stream_length":0}
-- a queue asynctask.queues does not name is not shown; undeclared queues are still sent
array(3) {
  [0]=>
  string(7) "default"
  [1]=>
  string(4) "mail"
  [2]=>
  string(7) "reports"
}
int(1)
-- the counts of this process are still there
string(5) "redis"
int(7)
int(7)
-- another prefix: its own queues
default {"queued":0,"pending":0,"delayed":0,"stream_length":0}
mail    {"queued":0,"pending":0,"delayed":0,"stream_length":0}
reports {"queued":0,"pending":0,"delayed":0,"stream_length":0}
-- Redis unreachable: said in the stats, not thrown
bool(false)
bool(false)
string(%d) "cannot connect to Redis at 127.0.0.1:1: Connection refused%s"
int(7)
bool(true)
bool(true)
