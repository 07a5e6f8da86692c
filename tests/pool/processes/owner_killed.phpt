--TEST--
A CLI script killed by SIGINT or SIGTERM (no handler) while its pool runs: its queued fire-and-forget task still runs, then the manager and workers leave and the pool's runtime directory is removed
--EXTENSIONS--
asynctask
pcntl
posix
--INI--
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';

$dir = asynctask_test_dir('owner_killed');
file_put_contents("$dir/owner.php", <<<'PHP'
<?php
require $argv[1];
[, , $dir, $gate] = $argv;
pcntl_signal(SIGINT, SIG_DFL);   // as in a terminal, whatever the test runner ignores
pcntl_signal(SIGTERM, SIG_DFL);
AsyncTask\Pool::start(1);
$running = AsyncTask\dispatch(fn (string $gate) => asynctask_test_wait_for($gate), $gate);
AsyncTask\dispatch(function (string $dir) {   // queued behind it; nobody waits for it
    file_put_contents("$dir/queued-task-ran", 'yes');
}, $dir);
$s = AsyncTask\Pool::stats();
echo json_encode(['pids' => [$s['manager_pid'], ...$s['worker_pids']],
    'runtime' => glob("$dir/asynctask-*")[0]]), "\n";
$running->wait();   // killed in here
echo "not killed\n";
PHP);

function gone(int $pid): bool
{
    $stat = @file_get_contents("/proc/$pid/stat");
    return $stat === false || preg_match('/\) Z /', $stat);  // or a zombie nobody reaped yet
}

foreach (['SIGINT' => SIGINT, 'SIGTERM' => SIGTERM] as $name => $signal) {
    echo "-- $name\n";
    @unlink("$dir/queued-task-ran");
    $gate = "$dir/gate-$name";
    $owner = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . asynctask_test_module(),
        '-d', "asynctask.tmpdir=$dir", '-d', 'asynctask.log=/dev/null',
        "$dir/owner.php", __DIR__ . '/../../helpers.inc', $dir, $gate], [1 => ['pipe', 'w']], $pipes);
    $pool = json_decode(fgets($pipes[1]), true);
    posix_kill(proc_get_status($owner)['pid'], $signal);
    $status = proc_get_status($owner);
    while ($status['running']) {
        usleep(1000);
        $status = proc_get_status($owner);
    }
    echo "owner killed by $name: ", var_export($status['signaled'] && $status['termsig'] === $signal, true), "\n";
    var_dump(is_dir($pool['runtime']), file_exists("$dir/queued-task-ran"));

    asynctask_test_open($gate);
    var_dump(asynctask_test_wait_for("$dir/queued-task-ran", 20));
    $deadline = microtime(true) + 20;
    while ((array_filter($pool['pids'], fn ($pid) => !gone($pid)) || is_dir($pool['runtime']))
        && microtime(true) < $deadline) {
        usleep(10000);
    }
    echo "manager and worker gone: ", var_export(!array_filter($pool['pids'], fn ($pid) => !gone($pid)), true), "\n";
    echo "runtime directory removed: ", var_export(!is_dir($pool['runtime']), true), "\n";
    echo "owner's last words: ", var_export(stream_get_contents($pipes[1]), true), "\n";
    proc_close($owner);
}
?>
--EXPECT--
-- SIGINT
owner killed by SIGINT: true
bool(true)
bool(false)
bool(true)
manager and worker gone: true
runtime directory removed: true
owner's last words: ''
-- SIGTERM
owner killed by SIGTERM: true
bool(true)
bool(false)
bool(true)
manager and worker gone: true
runtime directory removed: true
owner's last words: ''
