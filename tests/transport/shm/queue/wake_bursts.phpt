--TEST--
Wake-ups under bursts (src/transport/shm/idle.h): 4 producers (pcntl_fork) x 300 bursts of 1 to 12 tasks, with pauses that let the workers fall asleep, 6 workers on fewer CPUs: every burst completes, every result is exact, stats count each task once. A lost wake-up leaves a task queued while every worker sleeps: in a test build (ASYNCTASK_IDLE_SLEEP_MAX=60, workers sleep up to 60 s) the burst's 10 s wait then fails; the second round widens every window of the handshake with random pauses (ASYNCTASK_IDLE_WIDEN_US, test builds)
--EXTENSIONS--
asynctask
pcntl
--ENV--
ASYNCTASK_IDLE_SLEEP_MAX=60
--INI--
asynctask.workers=6
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
use AsyncTask\Future;
use function AsyncTask\dispatch;

const PRODUCERS = 4;

function producer(int $seed, int $bursts): string
{
    mt_srand($seed);
    $tasks = 0;
    for ($b = 0; $b < $bursts; $b++) {
        $futures = [];
        for ($i = 0, $n = mt_rand(1, 12); $i < $n; $i++) {
            $futures[$i] = dispatch(static fn (int $b, int $i): int => $b * 100 + $i, $b, $i);
        }
        try {
            foreach (Future::all($futures, 10.0) as $i => $v) {
                if ($v !== $b * 100 + $i) {
                    return "wrong value in burst $b";
                }
            }
        } catch (AsyncTask\TimeoutException $e) {
            $s = AsyncTask\Pool::stats();
            return sprintf('LOST: burst %d of %d tasks not done in 10 s (queued %d, idle %d, running %d)',
                $b, $n, $s['queued'], $s['idle'], $s['running']);
        }
        $tasks += $n;
        // pauses about as long as a worker spins (50 µs) and longer, so that workers go to
        // sleep at every moment of a push; sometimes none
        switch (mt_rand(0, 3)) {
            case 1: usleep(mt_rand(10, 100)); break;
            case 2: usleep(mt_rand(100, 1000)); break;
            case 3: usleep(mt_rand(1000, 3000)); break;
        }
    }
    return "ok $tasks";
}

function round_of(string $dir, string $name, int $bursts, int $widen): void
{
    putenv("ASYNCTASK_IDLE_WIDEN_US=$widen");  // read by the workers and producers of a test build
    AsyncTask\Pool::start();
    $children = [];
    for ($p = 0; $p < PRODUCERS; $p++) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            file_put_contents("$dir/$name-$p", producer($p + 1, $bursts));
            exit(0);
        }
        $children[] = $pid;
    }
    $statuses = [];
    foreach ($children as $pid) {
        pcntl_waitpid($pid, $status);
        $statuses[] = pcntl_wifexited($status) ? pcntl_wexitstatus($status) : -1;
    }
    $total = 0;
    $failures = [];
    for ($p = 0; $p < PRODUCERS; $p++) {
        $outcome = (string) @file_get_contents("$dir/$name-$p");
        if (str_starts_with($outcome, 'ok ')) {
            $total += (int) substr($outcome, 3);
        } else {
            $failures[] = "producer $p: $outcome";
        }
    }
    $s = AsyncTask\Pool::stats();
    printf("%s: producers exited %s; every burst done: %s; stats match: %s\n", $name, json_encode($statuses),
        $failures ? implode('; ', $failures) : 'yes',
        [$s['dispatched'], $s['completed'], $s['failed']] === [$total, $total, 0]
            ? 'yes' : json_encode([$s['dispatched'], $s['completed'], $s['failed'], $total]));
    AsyncTask\Pool::stop();
    putenv('ASYNCTASK_IDLE_WIDEN_US');
}

$dir = asynctask_test_dir('wake_bursts');
round_of($dir, 'plain', 300, 0);
round_of($dir, 'widened', 200, 200);
?>
--EXPECT--
plain: producers exited [0,0,0,0]; every burst done: yes; stats match: yes
widened: producers exited [0,0,0,0]; every burst done: yes; stats match: yes
