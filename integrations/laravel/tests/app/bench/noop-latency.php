<?php

declare(strict_types=1);

/*
 * A no-op job's dispatch-to-done latency, one job at a time, on three connections of the same
 * application: asynctask (the pool, already warm), sync (in the dispatching process) and database
 * (SQLite, run by one `php artisan queue:work database --sleep=0.1` started here, then by one
 * with queue:work's default --sleep=3, over at most 10 jobs). "Done" is the job's handle() having
 * touched its file; the dispatcher polls for it every 50 µs. Prints min / median / max per
 * connection. Information, not a check: ci runs it after the tests as
 *   php -d extension=... artisan app:bench-noop [jobs per connection, default 200]
 * (routes/console.php of the test application), with $benchJobs set.
 */

use App\Jobs\Journal;
use App\Jobs\NoopJob;

$base = base_path();
$n = (int) ($benchJobs ?? 200);

/** @return list<float> ms per job; none when a job was not done within 10 s */
function bench_measure(string $connection, int $n): array
{
    static $round = 0;
    ++$round;
    $lat = [];
    for ($i = 0; $i < $n + 5; ++$i) {
        $id = "$connection-$round-$i";
        $done = Journal::dir().'/done-'.$id;
        $t = hrtime(true);
        NoopJob::dispatch($id)->onConnection($connection);
        $end = $t + 10e9;
        while (!file_exists($done) && hrtime(true) < $end) {
            usleep(50);
            clearstatcache(false, $done);
        }
        if (!file_exists($done)) {
            echo "     $connection: job $i not done within 10 s, measure abandoned\n";

            return [];
        }
        if ($i >= 5) {   // the first 5 warm up
            $lat[] = (hrtime(true) - $t) / 1e6;
        }
        @unlink($done);
    }
    sort($lat);

    return $lat;
}

function bench_report(string $what, array $lat): void
{
    if (!$lat) {
        return;
    }
    printf("     %-58s min %7.2f / median %7.2f / max %8.2f ms (%d jobs)\n", $what, $lat[0], $lat[intdiv(count($lat), 2)], end($lat), count($lat));
}

$load = sys_getloadavg();
printf("     no-op job, dispatch to done, one at a time (load average %.1f, %d CPUs):\n", $load[0], (int) shell_exec('nproc'));
$lat = bench_measure('asynctask', $n);
bench_report('asynctask (pool: '.AsyncTask\Pool::stats()['queues']['default']['workers'].' workers on "default")', $lat);
bench_report('sync (runs in the dispatching process)', bench_measure('sync', $n));

foreach (['0.1' => $n, '3' => min($n, 10)] as $sleep => $jobs) {
    $log = Journal::dir().'/queue-work.log';
    $worker = proc_open(['php', $base.'/artisan', 'queue:work', 'database', '--sleep='.$sleep], [1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes, $base);
    usleep(1500000);   // its boot
    bench_report("database (SQLite) + 1 queue:work --sleep=$sleep", bench_measure('database', $jobs));
    proc_terminate($worker);
    proc_close($worker);
}
