--TEST--
Redis Sentinel: asynctask.redis_replicas=1 makes dispatch() return only after WAIT confirmed the entry on the replica (it is there at once); the replica stopped (SIGSTOP): BackendException within dispatch_timeout saying 0 of 1 confirmed and that the entry may still exist; more replicas asked than exist: 1 of 2
--EXTENSIONS--
asynctask
posix
pcntl
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.dispatch_timeout=10
asynctask.redis_replicas=1
--FILE--
<?php
require __DIR__ . '/sentinel.inc';
require __DIR__ . '/dispatch.inc';

$t = new SentinelTopology('wait');
[$secret, $prefix] = dispatch_test_setup('sentinel_wait', $t->url());
$stream = dispatch_test_stream($prefix);

// WAIT confirmed each one: the replica has every entry as soon as dispatch() returned
$ids = [];
for ($i = 0; $i < 10; $i++) {
    $ids[] = AsyncTask\dispatch('strtoupper', "task $i")->id();
    if ($t->call($t->replica, 'XLEN', $stream) !== $i + 1) {
        echo "entry $i not on the replica when dispatch() returned\n";
    }
}
var_dump(sentinel_stream_ids($t, $t->replica, $stream, $secret) === $ids);

// the replica frozen: nobody confirms; the entry is on the master all the same
$t->kill('replica', SIGSTOP);
ini_set('asynctask.dispatch_timeout', '1.5');
[$out, $seconds] = redis_test_timed(fn () => AsyncTask\dispatch('strtoupper', 'unconfirmed'));
echo preg_replace(['/entry \d+-\d+/', '/within \d+ ms/'], ['entry ID', 'within MS'], $out), "\n";
echo $seconds >= 1.2 && $seconds < 3 ? 'within [1.2, 3) s' : "took $seconds s", "\n";
var_dump($t->call($t->master, 'XLEN', $stream));
$t->kill('replica', SIGCONT);

// two replicas asked, one exists
ini_set('asynctask.redis_replicas', '2');
ini_set('asynctask.dispatch_timeout', '0.5');
[$out] = redis_test_timed(fn () => AsyncTask\dispatch('strtoupper', 'one of two'));
echo preg_replace(['/entry \d+-\d+/', '/within \d+ ms/'], ['entry ID', 'within MS'], $out), "\n";

// and with one asked, dispatch() works again once the replica answers
ini_set('asynctask.redis_replicas', '1');
ini_set('asynctask.dispatch_timeout', '10');
var_dump(strlen(AsyncTask\dispatch('strtoupper', 'again')->id()));
var_dump($t->call($t->replica, 'XLEN', $stream));
?>
--EXPECT--
bool(true)
AsyncTask\BackendException: WAIT confirmed the task's entry ID on 0 of 1 replica(s) within MS (asynctask.redis_replicas, what asynctask.dispatch_timeout left): the entry may still exist and run (at-least-once), or be lost if the master fails before it replicates
within [1.2, 3) s
int(11)
AsyncTask\BackendException: WAIT confirmed the task's entry ID on 1 of 2 replica(s) within MS (asynctask.redis_replicas, what asynctask.dispatch_timeout left): the entry may still exist and run (at-least-once), or be lost if the master fails before it replicates
int(32)
int(13)
