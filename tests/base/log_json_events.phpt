--TEST--
asynctask.log_format=json: each kind of line names its own event and level (a task's error_log() and warning at PHP's levels, with its task id, a worker killed while idle, one recycled over max_memory, a status address already taken); asynctask.log_format=text writes the same lines as before, without them (PHP's own lines in PHP's format)
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php
if (getenv('USE_ZEND_ALLOC') === '0') die('skip max_memory measures the Zend allocator, which valgrind and ASan runs turn off');
?>
--INI--
asynctask.workers=1
asynctask.max_memory=16M
memory_limit=256M
--FILE--
<?php
require __DIR__ . '/../helpers.inc';
$dir = asynctask_test_dir('log_json_events');

/* Makes each kind of line once. */
function make_lines(): void
{
    // the address is taken: the manager logs that it cannot listen, and runs on
    $taken = stream_socket_server('tcp://127.0.0.1:0');
    ini_set('asynctask.status_listen', stream_socket_get_name($taken, false));
    AsyncTask\dispatch(fn() => error_log('a line from the task'))->wait(10);
    AsyncTask\dispatch(fn() => trigger_error('careful', E_USER_WARNING))->wait(10);
    // killed while idle (once it has let go of its task): the manager says so and replaces it
    $deadline = microtime(true) + 10;
    while (AsyncTask\Pool::stats()['running'] !== 0 && microtime(true) < $deadline) {
        usleep(1000);
    }
    $pid = AsyncTask\Pool::stats()['worker_pids'][0];
    posix_kill($pid, SIGKILL);
    $deadline = microtime(true) + 10;
    while (AsyncTask\Pool::stats()['worker_pids'] === [$pid] && microtime(true) < $deadline) {
        usleep(10000);
    }
    // over asynctask.max_memory after its task: replaced before the next
    AsyncTask\dispatch(function () { $GLOBALS['kept'] = str_repeat('x', 32 << 20); })->wait(10);
    AsyncTask\dispatch('strlen', 'x')->wait(10);
    AsyncTask\Pool::stop();
    ini_set('asynctask.status_listen', '');
    fclose($taken);
}

ini_set('asynctask.log', "$dir/json.log");
ini_set('asynctask.log_format', 'json');
make_lines();
foreach (file("$dir/json.log", FILE_IGNORE_NEW_LINES) as $line) {
    $entry = json_decode($line, true, 8, JSON_THROW_ON_ERROR);
    printf("%s %s %s%s: %s\n", $entry['role'], $entry['level'], $entry['event'],
        $entry['task_id'] === null ? '' : ' (a task)', preg_replace('/\d+/', 'N', $entry['message']));
}

ini_set('asynctask.log', "$dir/text.log");
ini_set('asynctask.log_format', 'text');
make_lines();
foreach (file("$dir/text.log", FILE_IGNORE_NEW_LINES) as $line) {
    echo preg_replace('/\d+/', 'N', $line), "\n";
}
?>
--EXPECTF--
manager warning status_not_listening: the status endpoint cannot listen on N.N.N.N:N: Address already in use
worker notice php_message (a task): a line from the task
worker warning php_message (a task): PHP Warning:  careful in %s on line N
manager warning worker_exited: worker (pid N) was killed by signal N (Killed) while idle
worker notice worker_recycled (a task): worker replaced after task N: it holds N bytes, over asynctask.max_memory (N)
[N-N-N N:N:N] asynctask[N]: the status endpoint cannot listen on N.N.N.N:N: Address already in use
[%s] a line from the task
[%s] PHP Warning:  careful in %s on line N
[N-N-N N:N:N] asynctask[N]: worker (pid N) was killed by signal N (Killed) while idle
[N-N-N N:N:N] asynctask[N]: worker replaced after task N: it holds N bytes, over asynctask.max_memory (N)
