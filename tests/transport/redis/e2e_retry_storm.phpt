--TEST--
Redis retry storm: 1,000 tasks (100 under valgrind or ASan) with withRetries(3) fail on their first two runs, two thirds by throwing and one third by killing their worker (SIGKILL), on two nodes; every task ends exactly once with its third run's value (attempt 3), each ran exactly three times, nothing is left in the streams, the delayed sets or pending, and nothing was dead-lettered
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

$dir = asynctask_test_dir('e2e-retry-storm');
$ini = e2e_ini('retrystorm', ['asynctask.log' => '/dev/null']);
e2e_dispatcher($ini);
$prefix = $ini['asynctask.prefix'];
[$pa, $pida] = e2e_node($dir, 'a', $ini);
[$pb, $pidb] = e2e_node($dir, 'b', $ini);

$n = getenv('USE_ZEND_ALLOC') === '0' ? 100 : 1000;   // under valgrind or ASan every process is many times slower
$futures = [];
for ($i = 0; $i < $n; $i++) {
    $futures[$i] = (new Task(function (string $file, bool $kill) {
        $attempt = AsyncTask\context()->attempt();
        file_put_contents($file, "$attempt\n", FILE_APPEND);
        if ($attempt < 3) {
            if ($kill) {
                exec('kill -9 ' . getmypid());
            }
            throw new RuntimeException("attempt $attempt");
        }
        return $attempt;
    }, "$dir/t$i", $i % 3 === 0))->withRetries(3, 0.01)->dispatch();
}
$values = AsyncTask\Future::all($futures, 300);
$bad = [];
foreach ($values as $i => $v) {
    $runs = file("$dir/t$i", FILE_IGNORE_NEW_LINES);
    if ($v !== 3 || $runs !== ['1', '2', '3']) {
        $bad[] = "task $i: " . var_export($v, true) . ' runs ' . implode(',', $runs);
    }
}
echo count($values) === $n ? 'all' : count($values), " settled, ", count($bad), " wrong\n", implode("\n", array_slice($bad, 0, 5));
var_dump(redisCommand('XLEN', "$prefix:q:default"), redisCommand('ZCARD', "$prefix:delayed:default"),
    redisCommand('XPENDING', "$prefix:q:default", 'nodes')[0], redisCommand('XLEN', "$prefix:dead"));
posix_kill($pida, SIGTERM);
posix_kill($pidb, SIGTERM);
var_dump(e2e_reap($pa), e2e_reap($pb));
asynctask_test_rmdir($dir);
?>
--EXPECT--
all settled, 0 wrong
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
