--TEST--
A forged result message that says "spilled" and names a path: the caller never opens or unlinks that path (the name of a result's spill file is the caller's to know); the task settles once
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';

$dir = asynctask_test_dir('forged_spill_message');
ini_set('asynctask.tmpdir', $dir);
file_put_contents("$dir/victim", 'keep');

$gate = "$dir/gate";
$future = AsyncTask\dispatch(function (string $gate) {
    asynctask_test_wait_for($gate);
    return 'real';
}, $gate);
$runtime = glob("$dir/asynctask-*")[0];

// the result message format: magic "ATR1", length, task id, status, spilled, counted, 5 reserved
$path = "$dir/victim";
$message = pack('VVPCCCx5', 0x31525441, strlen($path), (int) $future->id(), 1, 1, 0) . $path;
$fifo = fopen("$runtime/" . getmypid() . '.fifo', 'w');
fwrite($fifo, $message);
fclose($fifo);

try {
    var_dump($future->wait(10));
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', str_replace([$runtime, (string) getmypid()], ['RUNTIME', 'PID'], $e->getMessage()), "\n";
}
asynctask_test_open($gate);
var_dump(file_get_contents($path));
// the real result came later and was dropped: the first report wins
var_dump(AsyncTask\dispatch('strrev', 'ok')->wait(10));
?>
--EXPECT--
AsyncTask\TaskFailedException: the result file RUNTIME/spill-PID-r1 could not be read: No such file or directory
string(4) "keep"
string(2) "ko"
