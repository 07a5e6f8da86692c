--TEST--
Redis Task::then() end to end: each link runs on a node with the previous link's value as its first argument (a callable, a Task with arguments of its own, a HIGH link), and the Future settles with the last link's value; every link but the last is acknowledged without a result (one reply for the chain); a failing link (an exception, a time limit, a value too large to pass on within asynctask.max_payload) stops the chain (the links after it never run) and the Future fails naming the link; a link's retries apply to it alone (attempt 1 again for the next link); a chain dispatched by a process that exits at once runs to its end on the nodes
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/e2e.inc';
use AsyncTask\Task;
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('e2e-chains');
$ini = e2e_ini('chains', ['asynctask.max_payload' => '100K']);
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
[$pa, $pida] = e2e_node($dir, 'a', $ini);

echo "-- values\n";
$f = (new Task('strtoupper', 'abc'))
    ->then('strrev')
    ->then(new Task(fn (string $s, string $suffix) => $s . $suffix . AsyncTask\context()->attempt(), '!'))
    ->then((new Task(fn (string $s) => [$s, AsyncTask\context()->queue()]))->withPriority(Task::HIGH))
    ->dispatch();
var_dump($f->wait(60));
var_dump(redisCommand('XLEN', "$prefix:q:default"), redisCommand('XLEN', "$prefix:q:default:high"));

echo "-- a link fails\n";
$mark = function (mixed $previous, string $dir, string $name) {
    touch("$dir/$name");
    return $previous;
};
try {
    (new Task(fn () => 1))
        ->then(function (int $n) { throw new DomainException("link 2 refuses $n", 5); })
        ->then(new Task($mark, $dir, 'after-failure'))
        ->dispatch()->wait(60);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), ' [', $e->getRemoteClass(), ' ', $e->getCode(), "]\n";
}
usleep(300000);
var_dump(file_exists("$dir/after-failure"));

try {
    (new Task(fn () => 1))->then((new Task(fn () => sleep(30)))->withTimeout(2))->then('strrev')->dispatch()->wait(60);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', preg_replace('/\d+(\.\d+)? s/', 'N s', $e->getMessage()), "\n";
}

// a value that fits a result (100K) but not the next link's entry with it: the chain fails there
try {
    (new Task(fn () => str_repeat('x', 102300)))->then(fn (string $s) => strlen($s))->dispatch()->wait(60);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', preg_replace('/\d+ bytes/', 'N bytes', $e->getMessage()), "\n";
}

echo "-- retries per link\n";
$flaky = (new Task(function (int $n) {
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < 3) {
        throw new RuntimeException("attempt $attempt");
    }
    return $n * 10 + $attempt;
}))->withRetries(2, 0.01);
var_dump((new Task(fn () => 4))->then($flaky)->then(fn (int $n) => "got $n, then attempt " . AsyncTask\context()->attempt())
    ->dispatch()->wait(60));
try {
    (new Task(fn () => 4))
        ->then((new Task(function () { throw new RuntimeException('always'); }))->withRetries(1, 0.01))
        ->then('strrev')
        ->dispatch()->wait(60);
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), ' (attempts ', $e->getAttempts(), ")\n";
}

echo "-- the dispatcher exits at once\n";
$script = "$dir/dispatch.php";
file_put_contents($script, '<?php
$dir = $argv[1];
(new AsyncTask\Task(function (string $dir) {
    while (!file_exists("$dir/dispatcher-gone")) {   // the dispatcher is gone before the first link ends
        usleep(10000);
    }
    return [$dir, 1];
}, $dir))
    ->then(fn (array $s) => [$s[0], $s[1] + 1])
    ->then(function (array $s) {
        file_put_contents("{$s[0]}/gone.tmp", ($s[1] + 1) . " links, the last on " . AsyncTask\context()->node());
        rename("{$s[0]}/gone.tmp", "{$s[0]}/gone");
    })
    ->dispatch();
echo "dispatched\n";
');
echo shell_exec(asynctask_test_command($script, $ini, [$dir]));
var_dump(file_exists("$dir/gone"));
touch("$dir/dispatcher-gone");
var_dump(asynctask_test_wait_for("$dir/gone", 60));
echo file_get_contents("$dir/gone"), "\n";

posix_kill($pida, SIGTERM);
var_dump(e2e_reap($pa));
asynctask_test_rmdir($dir);
?>
--EXPECTF--
-- values
array(2) {
  [0]=>
  string(5) "CBA!1"
  [1]=>
  string(7) "default"
}
int(0)
int(0)
-- a link fails
AsyncTask\TaskFailedException: link 2 refuses 1 (link 2 of 3 of the chain, Task::then()) [DomainException 5]
bool(false)
AsyncTask\TaskTimeoutException: %s (link 2 of 3 of the chain, Task::then())
AsyncTask\TaskFailedException: link 2 of the chain would encode to N bytes with the value of link 1, more than asynctask.max_payload (N bytes)
-- retries per link
string(22) "got 43, then attempt 1"
AsyncTask\TaskFailedException: always (link 2 of 3 of the chain, Task::then()) (after 2 attempts) (attempts 2)
-- the dispatcher exits at once
dispatched
bool(false)
bool(true)
3 links, the last on a
int(0)
