--TEST--
Redis Futures destroyed unread: the task still runs (its entry stays in the stream), its result is dropped quietly when it comes (counted as dropped, not refused, nothing logged), also in a script that only fires (dispatch() drains the list every 64 dispatches while such results are owed) and never reaches another Future; Pool::stats() of a dispatch-only process counts this process's own tasks (dispatched, queued = sent and not answered yet, completed, failed, dropped); 1 MB arguments and results travel intact
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use function AsyncTask\Testing\redisCommand;

$dir = asynctask_test_dir('dispatch_forget');
ini_set('asynctask.log', "$dir/log");
[$secret, $prefix] = dispatch_test_setup('forget');

AsyncTask\dispatch('strtoupper', 'fire');            // its Future is gone at once
$kept = AsyncTask\dispatch('strtoupper', 'kept');
$stats = AsyncTask\Pool::stats();
echo "sent: dispatched {$stats['dispatched']}, queued {$stats['queued']}\n";
$tasks = array_values(node_take($prefix, $secret));
var_dump(count($tasks));
node_return($tasks[0], $secret, 'FIRE');
node_throw($tasks[1], $secret, new RuntimeException('kept failed'));
echo outcome(fn () => $kept->wait(5)), "\n";
$stats = AsyncTask\Pool::stats();
echo "settled: queued {$stats['queued']}, completed {$stats['completed']}, failed {$stats['failed']}, ",
    "dropped {$stats['dropped_results']}, refused {$stats['refused_results']}\n";
var_dump(redisCommand('LLEN', $tasks[0]['reply_key']), file_exists("$dir/log") ? file_get_contents("$dir/log") : 'no log');

echo "-- only firing: dispatch() itself drains what comes for forgotten tasks (every 64 dispatches)\n";
for ($i = 0; $i < 64; $i++) {
    AsyncTask\dispatch('strlen', "fire $i");
}
foreach (node_take($prefix, $secret) as $task) {
    node_return($task, $secret, 42);
}
$replyKey = $task['reply_key'];
$before = redisCommand('LLEN', $replyKey);
for ($i = 0; $i < 64; $i++) {
    AsyncTask\dispatch('strlen', "more $i");
}
$stats = AsyncTask\Pool::stats();
echo "list $before, then ", redisCommand('LLEN', $replyKey), "; dispatched {$stats['dispatched']}, queued {$stats['queued']}, dropped {$stats['dropped_results']}\n";
var_dump(count(node_take($prefix, $secret)));     // the 64 more, never answered

echo "-- 1 MB each way\n";
$big = random_bytes(1 << 20);
$f = AsyncTask\dispatch('strrev', $big);
[$task] = array_values(node_take($prefix, $secret));
var_dump($task['payload'] === AsyncTask\Testing\encode('strrev', $big));
node_return($task, $secret, strrev($big));
var_dump($f->wait(5) === strrev($big));
?>
--EXPECT--
sent: dispatched 2, queued 2
int(2)
AsyncTask\TaskFailedException: kept failed
settled: queued 0, completed 1, failed 1, dropped 1, refused 0
int(0)
string(6) "no log"
-- only firing: dispatch() itself drains what comes for forgotten tasks (every 64 dispatches)
list 64, then 0; dispatched 130, queued 64, dropped 65
int(64)
-- 1 MB each way
bool(true)
bool(true)
