--TEST--
Fault injection: a worker killed at each point of looking for work and falling asleep (src/transport/shm/idle.h: marked searching, marked sleeping, just after it took a task and stopped searching): the manager clears its state and every task of the bursts that follow still runs, none waits for a worker that is gone (workers sleep up to 60 s here: a task left to a dead searcher would fail the 10 s wait)
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!function_exists('AsyncTask\Testing\encode')) die('skip needs a build with --enable-asynctask-fault-injection');
?>
--ENV--
ASYNCTASK_IDLE_SLEEP_MAX=60
--INI--
asynctask.workers=3
--FILE--
<?php
require __DIR__ . '/faults.inc';
use AsyncTask\Pool;

$tmp = asynctask_test_dir('worker_killed_idle');
ini_set('asynctask.tmpdir', $tmp);
ini_set('asynctask.log', "$tmp/asynctask.log");
foreach (['idle.searching', 'idle.sleeping', 'idle.found'] as $point) {
    // every worker (and every replacement) dies the 3rd time it passes $point
    putenv("ASYNCTASK_FAULT=$point:3");
    Pool::start();
    putenv('ASYNCTASK_FAULT');
    $values = $crashes = $lost = 0;
    for ($burst = 0; $burst < 15; $burst++) {
        $futures = [];
        for ($i = 0; $i < 4; $i++) {
            $futures[] = AsyncTask\dispatch(static fn (int $v): int => $v, $burst * 10 + $i);
        }
        foreach ($futures as $i => $f) {
            try {
                $values += $f->wait(10) === $burst * 10 + $i;
            } catch (AsyncTask\WorkerCrashedException $e) {
                $crashes++;   // idle.found: the worker dies holding the task it just took
            } catch (AsyncTask\TimeoutException $e) {
                $lost++;
            }
        }
        usleep(3000);  // longer than a worker spins: they fall asleep
    }
    $s = fault_test_wait_idle();
    printf("%s: %s; stats match: %s; workers died: %s\n", $point,
        $lost ? "LOST $lost" : ($values + $crashes === 60 ? 'every task ended' : 'MISSING ' . (60 - $values - $crashes)),
        [$s['dispatched'], $s['completed'], $s['failed']] === [60, $values, $crashes]
            ? 'yes' : json_encode([$s['dispatched'], $s['completed'], $s['failed'], $values, $crashes]),
        $s['respawned'] > 0 ? 'yes' : 'no');
    Pool::stop();
    @unlink("$tmp/asynctask.log");
}
?>
--EXPECT--
idle.searching: every task ended; stats match: yes; workers died: yes
idle.sleeping: every task ended; stats match: yes; workers died: yes
idle.found: every task ended; stats match: yes; workers died: yes
