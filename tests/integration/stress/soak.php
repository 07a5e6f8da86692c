<?php
/*
 * Resource bounds: N no-op closure tasks through a pool of 2 workers, in
 * windows (dispatch `window` tasks, then wait for all of them). The RSS
 * (VmRSS) and the open-fd count of the dispatcher, the manager and each worker
 * are sampled at 10 %, 50 % and 100 % of the run. Fails when a process's RSS
 * grows by more than --rss-bound KB (default 2048) between 10 % and 100 %,
 * when any fd count grows, or when a task is lost or fails.
 *
 *   php -n -d extension=asynctask.so tests/integration/stress/soak.php [N=1000000] [--window=1000] [--rss-bound=2048]
 */
use AsyncTask\Future;
use AsyncTask\Pool;

$tasks = 1_000_000;
$window = 1000;
$rss_bound = 2048;
foreach (array_slice($argv, 1) as $arg) {
    if (preg_match('/^\d+$/', $arg)) {
        $tasks = (int) $arg;
    } elseif (preg_match('/^--window=(\d+)$/', $arg, $m)) {
        $window = max(1, (int) $m[1]);
    } elseif (preg_match('/^--rss-bound=(\d+)$/', $arg, $m)) {
        $rss_bound = (int) $m[1];
    } else {
        fwrite(STDERR, "usage: soak.php [N] [--window=1000] [--rss-bound=KB]\n");
        exit(2);
    }
}
if ($tasks < 10) {
    fwrite(STDERR, "soak.php: at least 10 tasks\n");
    exit(2);
}

/** [VmRSS in KB, open fds] of $pid, or null when it is gone. */
function sample(int $pid): ?array
{
    $status = @file_get_contents("/proc/$pid/status");
    $fds = @scandir("/proc/$pid/fd");
    if ($status === false || $fds === false || !preg_match('/^VmRSS:\s+(\d+) kB/m', $status, $m)) {
        return null;
    }
    return [(int) $m[1], count($fds) - 2];
}

ini_set('asynctask.max_requests', '0');
ini_set('asynctask.task_timeout', '0');
Pool::start(2);
$start_stats = Pool::stats();
$processes = ['dispatcher' => getmypid(), 'manager' => $start_stats['manager_pid']];
foreach ($start_stats['worker_pids'] as $n => $pid) {
    $processes["worker " . ($n + 1)] = $pid;
}

$salt = 'soak';
$noop = function () use ($salt) {
    return null;
};

$marks = ['10%' => intdiv($tasks, 10), '50%' => intdiv($tasks, 2), '100%' => $tasks];
$samples = [];
$done = 0;
$bad = 0;
$t0 = hrtime(true);
printf("soak: %d no-op closure tasks, 2 workers, windows of %d, RSS bound %d KB (10%% -> 100%%)\n", $tasks, $window, $rss_bound);
while ($done < $tasks) {
    $n = min($window, $tasks - $done);
    // a sample point falls inside this window: end the window there
    foreach ($marks as $at) {
        if ($done < $at && $done + $n > $at) {
            $n = $at - $done;
        }
    }
    $futures = [];
    for ($i = 0; $i < $n; $i++) {
        $futures[] = AsyncTask\dispatch($noop);
    }
    foreach (Future::all($futures) as $value) {
        $bad += $value !== null;
    }
    unset($futures);
    $done += $n;
    foreach ($marks as $label => $at) {
        if ($done === $at && !isset($samples[$label])) {
            // a worker releases its task just after its result is in the pipe, and holds the pipe's
            // fd until then: sample once no task is held, so a transient fd is not counted
            $quiet = hrtime(true) + 5_000_000_000;
            while (Pool::stats()['running'] > 0 && hrtime(true) < $quiet) {
                usleep(100);
            }
            foreach ($processes as $name => $pid) {
                $samples[$label][$name] = sample($pid);
            }
            printf("  %4s: %d tasks in %.1f s\n", $label, $done, (hrtime(true) - $t0) / 1e9);
        }
    }
}
$seconds = (hrtime(true) - $t0) / 1e9;
$end_stats = Pool::stats();

$failed = [];
printf("\n%-12s %8s %10s %10s %10s %9s %6s %6s %6s\n", 'process', 'pid', 'RSS@10%', 'RSS@50%', 'RSS@100%', 'growth', 'fd@10', 'fd@50', 'fd@100');
foreach ($processes as $name => $pid) {
    $s = array_map(fn ($label) => $samples[$label][$name] ?? null, array_keys($marks));
    if (in_array(null, $s, true)) {
        printf("%-12s %8d  (gone before the end)\n", $name, $pid);
        $failed[] = "$name (pid $pid) was gone before the end";
        continue;
    }
    $growth = $s[2][0] - $s[0][0];
    printf("%-12s %8d %7d KB %7d KB %7d KB %+6d KB %6d %6d %6d\n", $name, $pid, $s[0][0], $s[1][0], $s[2][0], $growth,
        $s[0][1], $s[1][1], $s[2][1]);
    if ($growth > $rss_bound) {
        $failed[] = "$name: RSS grew by $growth KB from 10% to 100% (bound $rss_bound KB)";
    }
    // a worker opens its caller's FIFO at the first doorbell it rings (results go through the
    // caller's mailbox; the FIFO only wakes a caller asleep in poll()), whenever that is: one more
    $slack = str_starts_with($name, 'worker') ? 1 : 0;
    if ($s[2][1] > $s[0][1] + $slack) {
        $failed[] = "$name: open fds grew from {$s[0][1]} to {$s[2][1]}";
    }
}
echo "\n";
$check = function (string $name, bool $ok, string $detail = '') use (&$failed) {
    printf("%s %s%s\n", $ok ? 'ok  ' : 'FAIL', $name, $detail !== '' ? " -- $detail" : '');
    if (!$ok) {
        $failed[] = $name;
    }
};
$check("RSS of every process grew <= $rss_bound KB from 10% to 100%", !array_filter($failed, fn ($f) => str_contains($f, 'RSS')));
$check('no process holds more fds at 100% than at 10% (a worker: its caller\'s FIFO, opened at the first doorbell)',
    !array_filter($failed, fn ($f) => str_contains($f, 'fds')));
$check('the same manager and workers served the whole run (no respawn)',
    $end_stats['respawned'] === $start_stats['respawned'] && $end_stats['worker_pids'] == $start_stats['worker_pids']
        && $end_stats['manager_pid'] === $start_stats['manager_pid'],
    sprintf('respawned %d -> %d', $start_stats['respawned'], $end_stats['respawned']));
$check("every task returned null once: completed = $tasks, failed = 0", $bad === 0
    && $end_stats['completed'] - $start_stats['completed'] === $tasks && $end_stats['failed'] === $start_stats['failed'],
    sprintf('completed %d, failed %d, wrong values %d', $end_stats['completed'] - $start_stats['completed'],
        $end_stats['failed'] - $start_stats['failed'], $bad));
Pool::stop();
printf("%s (%d tasks in %.1f s, %.0f tasks/s)\n", $failed ? 'FAIL' : 'PASS', $tasks, $seconds, $tasks / $seconds);
exit($failed ? 1 : 0);
