--TEST--
Fault injection, retries and chains: a worker killed at each point of queuing its task's next run (Task::withRetries()) or its chain's next link (Task::then()): nothing is lost or run twice past its plan, every chain ends once with its value, stats() are exact (every extra run counted as retried) and no file is left
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;
use AsyncTask\Task;

$points = [
    'worker.retry.counted',   // the run counted "retried", its next run not queued: the manager queues it
    'queue.next.delivered',   // inside the lock, the next run (or link) queued and the claim marked
                              // delivered, not committed: rolled back whole, the manager retries the run
    'worker.retry.queued',    // the next run queued: nothing more to do
    'spill.create',           // the file of the chain's next link created, not queued: removed, the link runs again
    'worker.chain.ended',     // a link ended with a value, the next one not queued: the link runs again
    'worker.chain.queued',    // the next link queued: nothing more to do
];
$tmp = asynctask_test_dir('retry_chain_killed');
ini_set('asynctask.tmpdir', $tmp);
ini_set('asynctask.log', "$tmp/asynctask.log");
$first = function (int $n) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt === 1) {
        throw new RuntimeException("task $n: first run");
    }
    return [$n, $attempt];
};
$second = function (array $runs) {
    $runs[] = AsyncTask\context()->attempt();
    return $runs;
};
foreach ($points as $point) {
    // every worker (and every replacement) dies the 3rd time it passes $point
    putenv("ASYNCTASK_FAULT=$point:3");
    Pool::start();
    putenv('ASYNCTASK_FAULT');
    $futures = [];
    for ($n = 1; $n <= 20; $n++) {
        $futures[$n] = (new Task($first, $n))->withRetries(4, 0.01)
            ->then((new Task($second))->withRetries(4, 0.01))
            ->dispatch();
    }
    $bad = [];
    $extra = 0;
    foreach ($futures as $n => $f) {
        try {
            $runs = $f->wait(20);
            if ($runs[0] !== $n || count($runs) !== 3 || $runs[1] < 2) {
                $bad[] = json_encode($runs);
            }
            $extra += $runs[1] - 1 + $runs[2] - 1;
        } catch (Throwable $e) {
            $bad[] = get_class($e) . ': ' . $e->getMessage();
        }
    }
    $s = fault_test_wait_idle();
    @unlink("$tmp/asynctask.log");
    printf("%s: %s; stats match: %s; workers died: %s\n", $point,
        $bad ? 'BAD ' . implode(', ', array_slice($bad, 0, 3)) : 'values',
        [$s['dispatched'], $s['completed'], $s['failed'], $s['cancelled'], $s['retried']] === [20, 20, 0, 0, $extra]
            ? 'yes' : json_encode([$s['dispatched'], $s['completed'], $s['failed'], $s['cancelled'], $s['retried'], $extra]),
        $s['respawned'] > 0 ? 'yes' : 'no');
    Pool::stop();
    var_dump(fault_test_leftovers($tmp));
}
?>
--EXPECT--
worker.retry.counted: values; stats match: yes; workers died: yes
array(0) {
}
queue.next.delivered: values; stats match: yes; workers died: yes
array(0) {
}
worker.retry.queued: values; stats match: yes; workers died: yes
array(0) {
}
spill.create: values; stats match: yes; workers died: yes
array(0) {
}
worker.chain.ended: values; stats match: yes; workers died: yes
array(0) {
}
worker.chain.queued: values; stats match: yes; workers died: yes
array(0) {
}
