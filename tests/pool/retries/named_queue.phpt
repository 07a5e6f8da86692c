--TEST--
Retries and chains on a named queue (asynctask.queues): a task's next run, and a chain's next link, go back to the queue its first run was taken from (context()->queue()), and that queue's stats count them (stats()['queues'])
--EXTENSIONS--
asynctask
--INI--
asynctask.queues=default:1,mail:1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

AsyncTask\Pool::start();
$flaky = function () {
    $c = AsyncTask\context();
    if ($c->attempt() < 3) {
        throw new RuntimeException('not yet');
    }
    return $c->queue() . ' at attempt ' . $c->attempt();
};
var_dump((new Task($flaky))->onQueue('mail')->withRetries(3, 0.01)->dispatch()->wait(10));
var_dump((new Task(fn () => AsyncTask\context()->queue()))->onQueue('mail')
    ->then(fn (string $first) => $first . ' then ' . AsyncTask\context()->queue())
    ->then((new Task(function (string $before) {
        $c = AsyncTask\context();
        if ($c->attempt() < 3) {
            throw new RuntimeException('not yet');
        }
        return "$before then " . $c->queue() . ' at attempt ' . $c->attempt();
    }))->withRetries(2, 0.01))
    ->dispatch()->wait(10));
$s = AsyncTask\Pool::stats();
foreach (['default', 'mail'] as $q) {
    $qs = $s['queues'][$q];
    echo "$q: dispatched {$qs['dispatched']}, completed {$qs['completed']}, failed {$qs['failed']}, retried {$qs['retried']}\n";
}
var_dump($s['retried']);
?>
--EXPECT--
string(17) "mail at attempt 3"
string(37) "mail then mail then mail at attempt 3"
default: dispatched 0, completed 0, failed 0, retried 0
mail: dispatched 2, completed 2, failed 0, retried 4
int(4)
