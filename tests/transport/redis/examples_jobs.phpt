--TEST--
The README's Jobs examples over Redis run as their comments say: examples/jobs/redis.php (a delayed task, a cancelled one, priorities through a node of one worker) and examples/jobs/redis-queues.php (a node serving default:1,mail:1: mail while default is busy, a queue no node serves waits in Redis) and examples/jobs/redis-retries-chains.php (retries and chains over Redis); each exits 0 and prints what it should
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';

$ini = e2e_ini('examples') + ['asynctask.log' => '/dev/null'];
unset($ini['asynctask.prefix']);   // each example takes example-<pid>
foreach (['redis.php', 'redis-queues.php', 'redis-retries-chains.php'] as $example) {
    echo "== $example\n";
    exec(asynctask_test_command(__DIR__ . "/../../../examples/jobs/$example", $ini), $out, $status);
    echo implode("\n", $out), "\nexit $status\n";
    $out = [];
}
?>
--EXPECTF--
== redis.php
bool(true)
reminder for ada sent (%f s, never before 0.5 s)
ran in this order: high, normal, low
exit 0
== redis-queues.php
receipt to ada (mail) after %f s, while the report still runs
report done after %f s
bool(false)
Array
(
    [default] => 1 completed, 0 waiting in Redis
    [mail] => 1 completed, 0 waiting in Redis
)
exit 0
== redis-retries-chains.php
sent to +33 6 00 00 00 00 on attempt 3
card declined (after 2 attempts) (getAttempts(): 2)
charged: 1999, receipt: mailed
no stock for 1 (link 2 of 3 of the chain, Task::then())
exit 0
