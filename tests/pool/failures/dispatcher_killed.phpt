--TEST--
A dispatcher killed with tasks in flight: its queued tasks still run, their results are dropped and counted, and its result pipe and spill files are removed
--EXTENSIONS--
asynctask
pcntl
posix
--INI--
asynctask.workers=2
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('dispatcher_killed');
ini_set('asynctask.tmpdir', $dir);
Pool::start();
$pipe = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
$child = pcntl_fork();
if ($child === 0) {
    // 6 tasks held at a gate (2 running, 4 queued), of which 2 queued with arguments large enough to be
    // spilled and 2 with
    // results large enough to be; then wait to be killed
    for ($i = 0; $i < 6; $i++) {
        AsyncTask\dispatch(function (string $dir, int $i, string $arg) {
            asynctask_test_wait_for("$dir/gate");
            file_put_contents("$dir/ran-$i", strlen($arg));
            return $i >= 4 ? str_repeat('r', 100000) : $i;
        }, $dir, $i, ($i === 2 || $i === 3) ? str_repeat('a', 6 << 20) : 'small');
    }
    fwrite($pipe[1], "queued\n");
    sleep(60);
    exit(0);
}
fgets($pipe[0]);
$runtime = glob("$dir/asynctask-*")[0];
var_dump(file_exists("$runtime/$child.fifo"), count(glob("$runtime/spill-$child-*")));
posix_kill($child, SIGKILL);
pcntl_waitpid($child, $status);
touch("$dir/gate");

// its tasks run anyway (fire and forget); their results have nobody to go to
$deadline = microtime(true) + 20;
do {
    usleep(10000);
    $s = Pool::stats();
} while (($s['queued'] || $s['running'] || $s['dropped_results'] < 6) && microtime(true) < $deadline);
var_dump(count(glob("$dir/ran-*")), $s['completed'], $s['dropped_results']);
// what it left in the pool's directory is swept
do {
    usleep(20000);
    $left = array_map('basename', glob("$runtime/*"));
} while (array_diff($left, [getmypid() . '.fifo']) && microtime(true) < $deadline);
var_dump(array_values(array_diff($left, [getmypid() . '.fifo'])));
var_dump(AsyncTask\dispatch('strrev', 'ok')->wait(5));
?>
--EXPECT--
bool(true)
int(2)
int(6)
int(6)
int(6)
array(0) {
}
string(2) "ko"
