--TEST--
Redis dispatch() and fork: a child made with pcntl_fork() draws its own dispatcher id (its own reply key), never reads its parent's reply list, and cannot wait for its parent's Futures; parent and child each get only their own results, also when the node answers both at once and replays the parent's result to the child (dropped there: not its task); the child's counts are its own
--EXTENSIONS--
asynctask
pcntl
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('dispatch_fork');
ini_set('asynctask.log', "$dir/log");
[$secret, $prefix] = dispatch_test_setup('fork');
$parentFuture = AsyncTask\dispatch('strtoupper', 'parent');
[$parentTask] = array_values(node_take($prefix, $secret));

[$toParent, $fromChild] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
[$fromParent, $toChild] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($toParent);
    fclose($toChild);
    $report = [];
    $report['parent future'] = outcome(fn () => $parentFuture->wait(0.1));
    $childFuture = AsyncTask\dispatch('strtoupper', 'child');
    fwrite($fromChild, "dispatched\n");
    fgets($fromParent);                       // the node has answered both
    $report['own result'] = outcome(fn () => $childFuture->wait(5));
    $report['parent future after'] = $parentFuture->isDone();
    $stats = AsyncTask\Pool::stats();
    $report['counts'] = "dispatched {$stats['dispatched']}, completed {$stats['completed']}, refused {$stats['refused_results']}";
    fwrite($fromChild, json_encode($report) . "\n");
    exit(0);
}
fclose($fromChild);
fclose($fromParent);
fgets($toParent);
$tasks = node_take($prefix, $secret);
[$childTask] = array_values($tasks);
var_dump($childTask['reply_key'] !== $parentTask['reply_key'], $childTask['id'] !== $parentTask['id']);
// both answered at once, each to the key its task names; the parent's result also replayed to the child's key
node_push($childTask, node_result($parentTask, $secret, RESULT_VALUE, AsyncTask\Testing\encodeValue('REPLAYED')));
node_return($childTask, $secret, 'CHILD');
node_return($parentTask, $secret, 'PARENT');
fwrite($toChild, "answered\n");
$report = json_decode(fgets($toParent), true);
pcntl_waitpid($pid, $status);
foreach ($report as $what => $value) {
    echo "child: $what: ", preg_replace(['/task [0-9a-f]{32}/', '/process \d+/'], ['task ID', 'process PID'], var_export($value, true)), "\n";
}
var_dump(pcntl_wexitstatus($status));
var_dump($parentFuture->wait(5));
$stats = AsyncTask\Pool::stats();
echo "parent: dispatched {$stats['dispatched']}, completed {$stats['completed']}, refused {$stats['refused_results']}\n";
// the child logged the replay it dropped
foreach (file("$dir/log", FILE_IGNORE_NEW_LINES) as $line) {
    echo preg_replace(['/^\[[^]]+\] /', "/\\[$pid\\]/", '/[0-9a-f]{32}/', '/list \S+:/'], ['', '[CHILD]', 'ID', 'list KEY:'], $line), "\n";
}
// nothing left on either list
var_dump(redisCommand('LLEN', $parentTask['reply_key']), redisCommand('LLEN', $childTask['reply_key']));
?>
--EXPECT--
bool(true)
bool(true)
child: parent future: 'AsyncTask\\Exception: the result of task ID goes to process PID, which dispatched it; a forked process cannot wait for it'
child: own result: 'CHILD'
child: parent future after: false
child: counts: 'dispatched 1, completed 1, refused 1'
int(0)
string(6) "PARENT"
parent: dispatched 1, completed 1, refused 0
asynctask[CHILD]: dropped a result from the reply list KEY: not a task this process sent and still waits for (another dispatcher's, one already settled or cancelled, or from an earlier run): task ID
int(0)
int(0)
