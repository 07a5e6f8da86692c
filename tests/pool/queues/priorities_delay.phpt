--TEST--
Named queues with priorities and delays: priorities order what waits within a queue (HIGH, NORMAL, LOW) and never across queues; a delayed task lands in its own queue (context()->queue()), can be cancelled there while not due, and a due delayed task of a full queue never holds back another queue's due delayed tasks
--EXTENSIONS--
asynctask
--INI--
asynctask.log=/dev/null
asynctask.queues="default:1,mail:1,slow:1"
asynctask.queue_size=64K
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('queues_prio');
$hold = function (string $queue, string $name) use ($dir) {
    $f = (new Task(function (string $dir, string $name) {
        asynctask_test_open("$dir/running-$name");
        return asynctask_test_wait_for("$dir/go-$name", 120);
    }, $dir, $name))->onQueue($queue)->dispatch();
    asynctask_test_wait_for("$dir/running-$name");
    return $f;
};
$log = "$dir/order";
$note = function (string $log, string $what) { file_put_contents($log, "$what\n", FILE_APPEND | LOCK_EX); return $what; };

// priorities within "mail": its one worker held, then LOW, NORMAL, HIGH queued
$held = $hold('mail', 'mail');
$futures = [];
foreach ([Task::LOW => 'low', Task::NORMAL => 'normal', Task::HIGH => 'high'] as $priority => $name) {
    $futures[] = (new Task($note, $log, "mail-$name"))->onQueue('mail')->withPriority($priority)->dispatch();
}
// a LOW task of "default" runs now: mail's HIGH task does not come before it
var_dump((new Task($note, $log, 'default-low'))->withPriority(Task::LOW)->dispatch()->wait(10));
asynctask_test_open("$dir/go-mail");
AsyncTask\Future::all($futures, 10);
$held->wait(10);
echo file_get_contents($log);

// a delayed task lands in its queue
$where = fn () => AsyncTask\context()->queue();
var_dump((new Task($where))->onQueue('mail')->delay(0.05)->dispatch()->wait(10),
    (new Task($where))->delay(0.05)->dispatch()->wait(10));
// cancelled while not due: it never runs, counted in its queue
$c = (new Task($note, $log, 'cancelled'))->onQueue('mail')->delay(0.3)->dispatch();
var_dump($c->cancel());

// "slow" held and its ring full; a delayed task of slow falls due then, and
// one of mail due after it still runs on time
$held = $hold('slow', 'slow');
// before the ring fills (larger than the tasks that fill it: it cannot fit once they do not)
$late = (new Task(fn (string $pad) => AsyncTask\context()->queue(), str_repeat('l', 10500)))->onQueue('slow')->delay(1.0)->dispatch();
$lateDue = microtime(true) + 1.0;
// the manager takes it out of the ring into its own memory at once (SIGUSR2)
for ($deadline = microtime(true) + 10; AsyncTask\Pool::stats()['queues']['slow']['queue_bytes_used'] > 0 && microtime(true) < $deadline; ) {
    usleep(2000);
}
ini_set('asynctask.dispatch_timeout', '0.2');
$filled = [];
try {
    for ($i = 0; $i < 100; $i++) {
        $filled[] = (new Task('strlen', str_repeat('s', 10000)))->onQueue('slow')->dispatch();
    }
} catch (AsyncTask\QueueFullException $e) {
    echo "slow is full\n";
}
// due 0.3 s after slow's delayed task, which cannot be queued then
$delay = max(0.05, $lateDue - microtime(true)) + 0.3;
$t = hrtime(true);
$onTime = (new Task($where))->onQueue('mail')->delay($delay)->dispatch();
$slack = getenv('USE_ZEND_ALLOC') === '0' ? 5.0 : 1.5;   // valgrind, ASan: every process is slower
var_dump($onTime->wait(10), asynctask_test_elapsed($t) < $delay + $slack, AsyncTask\Pool::stats()['queues']['slow']['queued'] === count($filled));
if (asynctask_test_elapsed($t) >= $delay + $slack) {
    printf("%.3f s for a delay of %.3f s\n", asynctask_test_elapsed($t), $delay);
}
asynctask_test_open("$dir/go-slow");
var_dump($late->wait(10), $held->wait(10), count(array_filter(AsyncTask\Future::all($filled, 20))) === count($filled));
$s = AsyncTask\Pool::stats()['queues'];
var_dump($s['mail']['cancelled'], $s['default']['cancelled'], $s['slow']['cancelled'], str_contains(file_get_contents($log), 'cancelled'));
?>
--EXPECT--
string(11) "default-low"
default-low
mail-high
mail-normal
mail-low
string(4) "mail"
string(7) "default"
bool(true)
slow is full
string(4) "mail"
bool(true)
bool(true)
string(4) "slow"
bool(true)
bool(true)
int(1)
int(0)
int(0)
bool(false)
