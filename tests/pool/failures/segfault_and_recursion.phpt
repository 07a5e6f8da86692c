--TEST--
A segfault in a task (SIGSEGV, a C-stack overflow through internal callbacks) and unbounded PHP recursion (memory exhausted) each fail only their own task; the pool heals
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip memory_limit is not enforced without the Zend allocator, and the C stack is valgrind\'s (valgrind runs)'); ?>
--INI--
asynctask.workers=1
asynctask.log=/dev/null
memory_limit=128M
--FILE--
<?php
use AsyncTask\WorkerCrashedException;

function recurse_through_array_map(int $n) { return array_map('recurse_through_array_map', [$n + 1]); }
function recurse_forever(int $n) { return recurse_forever($n + 1); }

$tasks = [
    'SIGSEGV' => fn () => posix_kill(getmypid(), SIGSEGV),
    'C stack overflow' => 'recurse_through_array_map',
    'PHP recursion' => 'recurse_forever',
];
foreach ($tasks as $name => $task) {
    try {
        AsyncTask\dispatch($task, 0)->wait(10);
        echo "$name: no exception\n";
    } catch (WorkerCrashedException $e) {
        echo "$name: ", preg_replace('/pid \d+/', 'pid N', $e->getMessage()), "\n";
        if ($name === 'PHP recursion') {
            var_dump(basename($e->getFile()), $e->getLine());
        }
    }
}
var_dump(AsyncTask\dispatch('strrev', 'healed')->wait(10));
$s = AsyncTask\Pool::stats();
var_dump($s['crashed'], $s['failed'], $s['completed'], $s['workers'], $s['respawned']);
?>
--EXPECTF--
SIGSEGV: the worker (pid N) running task %d was killed by signal 11 (Segmentation fault)
C stack overflow: the worker (pid N) running task %d was killed by signal 11 (Segmentation fault)
PHP recursion: Allowed memory size of 134217728 bytes exhausted %s
string(%d) "segfault_and_recursion.php"
int(5)
string(6) "delaeh"
int(3)
int(3)
int(1)
int(1)
int(3)
