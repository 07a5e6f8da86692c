--TEST--
Redis Futures never settle from a result that does not verify or is not theirs: random bytes, a result signed with another secret, a valid result whose body was altered after signing, a signed task entry passed as a result, a valid result for a task id this process never sent, one whose FAILED flag contradicts its status, one too short to hold a status; each is dropped, logged and counted, the Future still waits, and the genuine result settles it; a second result for a settled task is dropped too (the first wins)
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/dispatch.inc';
use function AsyncTask\Testing\{wireEncode, encodeValue};

$dir = asynctask_test_dir('dispatch_forged');
ini_set('asynctask.log', "$dir/log");
[$secret, $prefix] = dispatch_test_setup('forged');

$f = AsyncTask\dispatch('strtoupper', 'real');
[$task] = array_values(node_take($prefix, $secret));
$forged = encodeValue('FORGED');
$valid = node_result($task, $secret, RESULT_VALUE, $forged);
$altered = $valid;
$altered[48 + strlen($task['queue']) + 4 + 9 + 5] = 'X';       // a byte of the value, the HMAC left as it was
$attempts = [
    'random bytes' => random_bytes(200),
    'another secret' => node_result($task, random_bytes(32), RESULT_VALUE, $forged),
    'altered body' => $altered,
    'a task entry' => wireEncode(['kind' => 'task', 'id' => $task['id'], 'queue' => 'default', 'reply_key' => $task['reply_key'],
        'payload' => chr(RESULT_VALUE) . pack('J', 0) . $forged], $secret),
    'an id never sent' => node_result(['id' => bin2hex(random_bytes(16))] + $task, $secret, RESULT_VALUE, $forged),
    'flag and status disagree' => node_result($task, $secret, RESULT_VALUE, $forged, ['flags' => 1]),
    'too short' => node_result($task, $secret, RESULT_VALUE, '', ['payload' => "\x01\0\0"]),
];
foreach ($attempts as $name => $bytes) {
    node_push($task, $bytes);
    echo str_pad($name, 26), var_export($f->isDone(), true), "\n";
}
echo preg_replace('/task [0-9a-f]{32}/', 'task ID', outcome(fn () => $f->wait(0.1))), "\n";

node_return($task, $secret, 'REAL');
var_dump($f->wait(5));
// a second result for it, and a later task that still works
node_return($task, $secret, 'LATE');
$g = AsyncTask\dispatch('strrev', 'abc');
[$next] = array_values(node_take($prefix, $secret));
node_return($next, $secret, 'cba');
var_dump($g->wait(5), $f->wait(0));

$stats = AsyncTask\Pool::stats();
var_dump($stats['refused_results'], $stats['completed'], $stats['queued']);
$log = file("$dir/log", FILE_IGNORE_NEW_LINES);
echo count($log), " lines logged\n";
foreach ($log as $line) {
    echo preg_replace(['/^\[[^]]+\] asynctask\[\d+\]: /', '/[0-9a-f]{32}/', '/\d+-byte/', '/list \S+:/'], ['', 'ID', 'N-byte', 'list KEY:'], $line), "\n";
}
?>
--EXPECT--
random bytes              false
another secret            false
altered body              false
a task entry              false
an id never sent          false
flag and status disagree  false
too short                 false
AsyncTask\TimeoutException: task ID did not finish within 0.1 s; it goes on running: wait again for its result
string(4) "REAL"
string(3) "cba"
string(4) "REAL"
int(8)
int(2)
int(0)
8 lines logged
dropped a result from the reply list KEY: refused a N-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
dropped a result from the reply list KEY: refused a N-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
dropped a result from the reply list KEY: refused a N-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
dropped a result from the reply list KEY: refused a signed task entry where a result was expected
dropped a result from the reply list KEY: not a task this process sent and still waits for (another dispatcher's, one already settled or cancelled, or from an earlier run): task ID
dropped a result from the reply list KEY: its FAILED flag disagrees with its status: task ID
dropped a result from the reply list KEY: its payload is shorter than the status and bound: task ID
dropped a result from the reply list KEY: not a task this process sent and still waits for (another dispatcher's, one already settled or cancelled, or from an earlier run): task ID
