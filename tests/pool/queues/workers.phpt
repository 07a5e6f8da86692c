--TEST--
Named queues: each queue of asynctask.queues has its own workers (a task runs on a worker of its queue, and context()->queue() names it); stats() per queue are exact and the totals are their sums; a queue that is not declared is refused at dispatch() with the declared ones named, and so is a plain task when "default" is not declared; without asynctask.queues the pool is one "default" queue of asynctask.workers workers
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
asynctask.queues="default:2,mail:1,reports:1"
--FILE--
<?php
use AsyncTask\Pool;
use AsyncTask\Task;

$who = fn () => [getmypid(), AsyncTask\context()->queue()];
$pids = [];
foreach (['default', 'mail', 'reports'] as $queue) {
    $futures = [];
    for ($i = 0; $i < 20; $i++) {
        $task = new Task($who);
        $futures[] = ($queue === 'default' && $i % 2 ? $task : $task->onQueue($queue))->dispatch();
    }
    foreach (AsyncTask\Future::all($futures, 10) as [$pid, $seen]) {
        $pids[$queue][$pid] = true;
        if ($seen !== $queue) {
            echo "a task of $queue ran in $seen\n";
        }
    }
}
$s = Pool::stats();
$of = fn (string $queue) => array_keys($pids[$queue]);
var_dump(count($s['worker_pids']), array_map(fn ($q) => $q['workers'], $s['queues']));
// each queue's tasks ran on its own workers, which are the pool's
var_dump(count($of('default')) <= 2, count($of('mail')), count($of('reports')),
    array_intersect($of('default'), $of('mail'), $of('reports')), $of('mail') == $of('reports'),
    array_diff(array_merge($of('default'), $of('mail'), $of('reports')), $s['worker_pids']));

// a failure, a cancellation: counted in their queue
try {
    (new Task(fn () => throw new RuntimeException('no')))->onQueue('mail')->dispatch()->wait(10);
} catch (AsyncTask\TaskFailedException $e) {
    echo $e->getMessage(), "\n";
}
$hold = sys_get_temp_dir() . '/asynctask-queues-workers-' . getmypid();
$busy = (new Task(function (string $gate) { while (!file_exists($gate)) usleep(2000); return 1; }, $hold))->onQueue('reports')->dispatch();
$cancel = (new Task('strlen', 'never'))->onQueue('reports')->dispatch();
var_dump($cancel->cancel());
touch($hold);
var_dump($busy->wait(10));
unlink($hold);
// a worker clears its claim just after it delivers: wait for that, not a time
for ($deadline = microtime(true) + 10; Pool::stats()['running'] > 0 && microtime(true) < $deadline; ) {
    usleep(2000);
}

$s = Pool::stats();
$keys = ['workers', 'idle', 'queued', 'running', 'completed', 'failed', 'crashed', 'timed_out', 'respawned',
    'queue_bytes_used', 'queue_bytes_total', 'dispatched', 'cancelled'];
foreach ($s['queues'] as $name => $q) {
    echo $name, ': ', implode(' ', array_map(fn ($k) => "$k=" . $q[$k], array_diff($keys, ['queue_bytes_total']))),
        ' total=', $q['queue_bytes_total'] === 16 * 1024 * 1024 ? '16M' : $q['queue_bytes_total'], "\n";
}
$sums = [];
foreach ($keys as $k) {
    $sums[$k] = array_sum(array_column($s['queues'], $k)) === $s[$k] ? 'ok' : "{$s[$k]} != sum";
}
var_dump(array_filter($sums, fn ($v) => $v !== 'ok'));

// undeclared queues
foreach (['nope', 'Mail'] as $name) {
    try {
        (new Task('strlen', 'x'))->onQueue($name)->dispatch();
    } catch (AsyncTask\Exception $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
Pool::stop();

// without "default": a plain dispatch() (and map()) is refused the same way
ini_set('asynctask.queues', 'mail:1');
foreach ([fn () => AsyncTask\dispatch('strlen', 'x'), fn () => AsyncTask\map('strlen', ['x'])] as $call) {
    try {
        $call();
    } catch (AsyncTask\Exception $e) {
        echo $e->getMessage(), "\n";
    }
}
var_dump((new Task('strlen', 'mail'))->onQueue('mail')->dispatch()->wait(10));
Pool::stop();

// not set: one "default" queue with asynctask.workers workers, as before
ini_set('asynctask.queues', '');
ini_set('asynctask.workers', '3');
var_dump((new Task($who))->onQueue('default')->dispatch()->wait(10)[1], array_map(fn ($q) => $q['workers'], Pool::stats()['queues']));
?>
--EXPECT--
int(4)
array(3) {
  ["default"]=>
  int(2)
  ["mail"]=>
  int(1)
  ["reports"]=>
  int(1)
}
bool(true)
int(1)
int(1)
array(0) {
}
bool(false)
array(0) {
}
no
bool(true)
int(1)
default: workers=2 idle=2 queued=0 running=0 completed=20 failed=0 crashed=0 timed_out=0 respawned=0 queue_bytes_used=0 dispatched=20 cancelled=0 total=16M
mail: workers=1 idle=1 queued=0 running=0 completed=20 failed=1 crashed=0 timed_out=0 respawned=0 queue_bytes_used=0 dispatched=21 cancelled=0 total=16M
reports: workers=1 idle=1 queued=0 running=0 completed=21 failed=0 crashed=0 timed_out=0 respawned=0 queue_bytes_used=0 dispatched=22 cancelled=1 total=16M
array(0) {
}
AsyncTask\Exception: the queue "nope" is not declared: the pool's queues (asynctask.queues) are "default", "mail", "reports"; add it to asynctask.queues (e.g. "nope:1"), or dispatch to one of those with Task::onQueue()
AsyncTask\Exception: the queue "Mail" is not declared: the pool's queues (asynctask.queues) are "default", "mail", "reports"; add it to asynctask.queues (e.g. "Mail:1"), or dispatch to one of those with Task::onQueue()
the queue "default" is not declared: the pool's queues (asynctask.queues) are "mail"; add it to asynctask.queues (e.g. "default:1"), or dispatch to one of those with Task::onQueue()
the queue "default" is not declared: the pool's queues (asynctask.queues) are "mail"; add it to asynctask.queues (e.g. "default:1"), or dispatch to one of those with Task::onQueue()
int(4)
string(7) "default"
array(1) {
  ["default"]=>
  int(3)
}
