--TEST--
asynctask.bootstrap that fails fatally: no respawn storm; queued and new tasks fail with the bootstrap's error instead of waiting forever
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
asynctask.log=/dev/null
asynctask.bootstrap={PWD}/bootstrap_fails.inc
--FILE--
<?php
file_put_contents(ini_get('asynctask.bootstrap'), '<?php class Twice {} class Twice {}');
$start = microtime(true);
foreach ([1, 2] as $round) {
    try {
        AsyncTask\dispatch('strlen', 'abc')->wait(10);
        echo "no exception\n";
    } catch (AsyncTask\TaskFailedException $e) {
        echo get_class($e), ': ', str_replace(__DIR__, 'DIR', $e->getMessage()), "\n";
    }
}
$s = AsyncTask\Pool::stats();
$elapsed = microtime(true) - $start;
// (no check of 'workers': once the back-off ends, the manager tries again.) Both
// failed well before their 10 s wait; respawns are bounded by the back-off (1 s,
// doubling: two workers a round), not a storm: on a slow machine (valgrind) more
// rounds fit in the elapsed time, so the bound follows it
var_dump($elapsed < 9, $s['failed'], $s['respawned'] <= 2 * (2 + (int) log(1 + $elapsed, 2)));
?>
--CLEAN--
<?php
@unlink(__DIR__ . '/bootstrap_fails.inc');
?>
--EXPECT--
AsyncTask\TaskFailedException: asynctask.bootstrap DIR/bootstrap_fails.inc failed: Cannot declare class Twice, because the name is already in use
AsyncTask\TaskFailedException: asynctask.bootstrap DIR/bootstrap_fails.inc failed: Cannot declare class Twice, because the name is already in use
bool(true)
int(2)
bool(true)
