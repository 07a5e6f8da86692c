--TEST--
Redis dispatch to a named queue (Task::onQueue(), protocol.h): the entry lands in {prefix}:q:{queue} (its :high / :low stream for a priority, its {prefix}:delayed:{queue} set for a delay) with the queue named in the entry's queue field; a queue that no node serves and asynctask.queues does not declare is not refused (it waits in Redis); cancel() finds a named queue's entry and its delayed member; onQueue('default') is the default stream
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.queues=default:1
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use AsyncTask\Task;
use function AsyncTask\Testing\{redisCommand, wireDecode};

[$secret, $prefix] = dispatch_test_setup('queues');

$mail = (new Task('strlen', 'receipt'))->onQueue('mail')->dispatch();
$high = (new Task('strlen', 'urgent'))->onQueue('mail')->withPriority(Task::HIGH)->dispatch();
$report = (new Task('strlen', 'report'))->onQueue('reports.daily-2')->withPriority(Task::LOW)->dispatch();
$later = (new Task('strlen', 'later'))->onQueue('mail')->delay(30)->dispatch();
$default = (new Task('strlen', 'plain'))->onQueue('default')->dispatch();
var_dump(redisCommand('XLEN', "$prefix:q:mail"), redisCommand('XLEN', "$prefix:q:mail:high"),
    redisCommand('XLEN', "$prefix:q:reports.daily-2:low"), redisCommand('XLEN', "$prefix:q:default"),
    redisCommand('ZCARD', "$prefix:delayed:mail"), redisCommand('HLEN', "$prefix:delayed:mail:t"),
    redisCommand('EXISTS', "$prefix:q:reports.daily-2", "$prefix:delayed:default"));

echo "-- the entries name their queue\n";
$first = fn (string $stream) => wireDecode(redisCommand('XRANGE', $stream, '-', '+')[0][1][1], 'task', $secret);
foreach (["$prefix:q:mail" => $mail, "$prefix:q:mail:high" => $high, "$prefix:q:reports.daily-2:low" => $report,
        "$prefix:q:default" => $default] as $stream => $future) {
    $e = $first($stream);
    echo substr($stream, strlen($prefix) + 1), ': ', $e['queue'], ' ', var_export($e['id'] === $future->id(), true), "\n";
}
$e = wireDecode(redisCommand('HGET', "$prefix:delayed:mail:t", 'n:' . $later->id()), 'task', $secret);
echo "delayed:mail: ", $e['queue'], "\n";

echo "-- cancel() on the named queue's stream and set\n";
var_dump($high->cancel(), redisCommand('XLEN', "$prefix:q:mail:high"));
var_dump($later->cancel(), redisCommand('ZCARD', "$prefix:delayed:mail"), redisCommand('HLEN', "$prefix:delayed:mail:t"));
var_dump($report->cancel(), redisCommand('XLEN', "$prefix:q:reports.daily-2:low"));
var_dump(redisCommand('XLEN', "$prefix:q:mail"));

echo "-- a bad name never reaches Redis\n";
try {
    (new Task('strlen', 'x'))->onQueue('no spaces');
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
foreach (redisCommand('KEYS', "$prefix:*") as $key) {
    redisCommand('DEL', $key);
}
?>
--EXPECT--
int(1)
int(1)
int(1)
int(1)
int(1)
int(1)
int(0)
-- the entries name their queue
q:mail: mail true
q:mail:high: mail true
q:reports.daily-2:low: reports.daily-2 true
q:default: default true
delayed:mail: mail
-- cancel() on the named queue's stream and set
bool(true)
int(0)
bool(true)
int(0)
int(0)
bool(true)
int(0)
int(1)
-- a bad name never reaches Redis
AsyncTask\Task::onQueue(): Argument #1 ($queue) must be 1 to 64 letters, digits, "_", "-" or "."
