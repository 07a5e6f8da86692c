--TEST--
The Jobs examples of the README run as their comments say (examples/jobs: priorities, named queues, delays, retries with the remote previous chain, chains, memory recycling; the Redis ones are tests/transport/redis/examples_jobs): each exits 0 and prints what it should
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
// max-memory.php measures PHP's allocator, which valgrind and ASan turn off (USE_ZEND_ALLOC=0)
if (getenv('USE_ZEND_ALLOC') === '0') die('skip needs the Zend allocator');
?>
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';

$examples = [
    'priorities.php' => [],
    'queues.php' => ['asynctask.queues' => 'default:1,mail:1,reports:1'],
    'delay.php' => [],
    'retries.php' => [],
    'chains.php' => [],
    'max-memory.php' => ['asynctask.workers' => 1, 'asynctask.max_memory' => '32M'],
];
foreach ($examples as $example => $ini) {
    echo "== $example\n";
    // (the log, e.g. max-memory's "worker replaced" lines, comes from other processes at any moment)
    exec(asynctask_test_command(__DIR__ . "/../../../examples/jobs/$example", $ini + ['asynctask.log' => '/dev/null']),
        $out, $status);
    echo implode("\n", $out), "\nexit $status\n";
    $out = [];
}
?>
--EXPECTF--
== priorities.php
ran in this order:
  payment callback 1
  payment callback 2
  report
  thumbnail
  newsletter 1
  newsletter 2
exit 0
== queues.php
 %f s  mail to alice on mail (pid %d)
 %f s  mail to bob on mail (pid %d)
 %f s  report 1 on reports (pid %d)
 %f s  report 2 on reports (pid %d)
 %f s  report 3 on reports (pid %d)
default  workers 1, completed 0
mail     workers 1, completed 2
reports  workers 1, completed 3
sms: the queue "sms" is not declared: the pool's queues (asynctask.queues) are "default", "mail", "reports"; add it to asynctask.queues (e.g. "sms:1"), or dispatch to one of those with Task::onQueue()
exit 0
== delay.php
an ordinary task is not held up (%f s)
bool(true)
reminder for ada sent (%f s, never before 0.5 s)
exit 0
== retries.php
order A-1001 charged on attempt 3 (%f s)
survived its worker (%f s)
AsyncTask\TaskFailedException: still down (after 3 attempts)
  attempts: 3, code 503, caused by LogicException: DNS lookup failed
dispatched 3, completed 2, failed 1, retried 5
exit 0
== chains.php
Array
(
    [the] => 2
    [quick] => 1
)
answer: 42
AsyncTask\TaskFailedException: cannot use 1 (link 2 of 3 of the chain, Task::then())
exit 0
== max-memory.php
task 1 ran on worker %d, which holds 10 MB of cache
task 2 ran on worker %d, which holds 20 MB of cache
task 3 ran on worker %d, which holds 30 MB of cache
task 4 ran on worker %d, which holds 10 MB of cache
task 5 ran on worker %d, which holds 20 MB of cache
task 6 ran on worker %d, which holds 30 MB of cache
task 7 ran on worker %d, which holds 10 MB of cache
task 8 ran on worker %d, which holds 20 MB of cache
workers replaced: 2 (asynctask.log says why)
exit 0
