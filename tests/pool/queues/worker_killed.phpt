--TEST--
Named queues: a worker killed in one queue (mid-task, or idle) is replaced in that queue: the crash and the respawn count there, the queue gets its worker count back and its tasks run on the new worker; the other queues' workers are untouched
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.log=/dev/null
asynctask.queues="default:1,mail:2"
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;
use AsyncTask\Task;

$dir = asynctask_test_dir('queues_killed');
$pidsOf = function (string $queue): array {
    $seen = [];
    $futures = [];
    for ($i = 0; $i < 40; $i++) {
        $futures[] = (new Task(fn () => [getmypid(), AsyncTask\context()->queue()]))->onQueue($queue)->dispatch();
    }
    foreach (AsyncTask\Future::all($futures, 10) as [$pid, $q]) {
        $seen[$pid] = $q;
    }
    ksort($seen);
    return $seen;
};
$default = $pidsOf('default');

// mid-task: the task says its pid, then waits to be killed
$victim = (new Task(function (string $dir) {
    asynctask_test_open("$dir/pid", (string) getmypid());
    return asynctask_test_wait_for("$dir/never", 30);
}, $dir))->onQueue('mail')->dispatch();
asynctask_test_wait_for("$dir/pid");
$pid = (int) file_get_contents("$dir/pid");
posix_kill($pid, SIGKILL);
try {
    $victim->wait(10);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo "crashed: ", str_contains($e->getMessage(), 'signal 9') ? 'signal 9' : $e->getMessage(), "\n";
}
// idle: one of the mail workers, from outside
$before = Pool::stats()['worker_pids'];
$mail = array_values(array_diff($before, array_keys($default), [$pid]));
var_dump(count($mail));   // the replacement and the other one
$idle = $mail[0];
posix_kill($idle, SIGKILL);
for ($deadline = microtime(true) + 10; in_array($idle, Pool::stats()['worker_pids'], true) && microtime(true) < $deadline; ) {
    usleep(2000);
}

$s = Pool::stats();
var_dump(count($s['worker_pids']), $s['queues']['mail']['workers'], $s['queues']['default']['workers'],
    $s['queues']['mail']['crashed'], $s['queues']['mail']['respawned'],
    $s['queues']['default']['crashed'], $s['queues']['default']['respawned'], $s['crashed'], $s['respawned']);
$after = $pidsOf('mail');
var_dump(array_unique(array_values($after)), isset($after[$pid]), isset($after[$idle]), count($after) <= 2,
    array_diff(array_keys($after), $s['worker_pids']));
// the default queue's worker is the same process, and it still runs only default tasks
var_dump($pidsOf('default') === $default, array_values($default));
?>
--EXPECT--
crashed: signal 9
int(2)
int(3)
int(2)
int(1)
int(1)
int(2)
int(0)
int(0)
int(1)
int(2)
array(1) {
  [0]=>
  string(4) "mail"
}
bool(false)
bool(false)
bool(true)
array(0) {
}
bool(true)
array(1) {
  [0]=>
  string(7) "default"
}
