--TEST--
Delayed tasks across reloads: 300 tasks delayed 0.3-1.5 s over two queues, the manager holding them while Pool::reload() twice replaces every worker; each runs exactly once, none before its due time, and stats() count each once
--EXTENSIONS--
asynctask
--INI--
asynctask.queues="default:2,mail:1"
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

// under valgrind or ASan (USE_ZEND_ALLOC=0) every process runs many times slower
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 10 : 1;
$dir = asynctask_test_dir('delay_reload');
AsyncTask\Pool::start();
$first = AsyncTask\Pool::stats()['worker_pids'];
$task = function (string $dir, int $i, int $due_ns): bool {
    $now = hrtime(true);
    file_put_contents("$dir/ran-$i", getmypid() . "\n", FILE_APPEND);
    return $now >= $due_ns;
};
$futures = [];
mt_srand(11);
for ($i = 0; $i < 300; $i++) {
    $delay = 0.3 + mt_rand(0, 1200) / 1000;
    $due_ns = hrtime(true) + (int) ($delay * 1e9);
    $futures[$i] = (new Task($task, $dir, $i, $due_ns))->onQueue($i % 3 === 0 ? 'mail' : 'default')
        ->delay($delay)->dispatch();
}
AsyncTask\Pool::reload();
usleep(100000);
AsyncTask\Pool::reload();
$early = 0;
foreach ($futures as $f) {
    $early += !$f->wait(20 * $slow);
}
$runs = array_map(fn (string $f) => count(file($f)), glob("$dir/ran-*"));
var_dump($early, count($runs), array_sum($runs));
// the reloads done (one returns once begun; a second one while the first goes on replaces each
// worker that is not of the newest generation, so each of the 3 was replaced once or twice)
$deadline = hrtime(true) + 20e9 * $slow;
while (array_intersect(AsyncTask\Pool::stats()['worker_pids'], $first) && hrtime(true) < $deadline) {
    usleep(10000);
}
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'], $s['completed'], $s['failed'], $s['queues']['mail']['completed']);
var_dump(array_intersect($s['worker_pids'], $first), $s['respawned'] >= 3, count($s['worker_pids']));
?>
--EXPECT--
int(0)
int(300)
int(300)
int(300)
int(300)
int(0)
int(100)
array(0) {
}
bool(true)
int(3)
