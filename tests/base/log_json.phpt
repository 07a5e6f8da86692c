--TEST--
asynctask.log_format=json: each line the manager and workers log is one JSON object (time, level, pid, role, event, task_id, message), with the line's own level and event (a crash, a time limit); text stays the default; other values refused
--EXTENSIONS--
asynctask
posix
--INI--
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../helpers.inc';
var_dump(ini_get('asynctask.log_format'), ini_set('asynctask.log_format', 'xml'));
$dir = asynctask_test_dir('log_json');
ini_set('asynctask.log', "$dir/asynctask.log");
ini_set('asynctask.log_format', 'json');

$manager = AsyncTask\Pool::stats()['manager_pid'] ?? null;
try {
    AsyncTask\dispatch(fn() => posix_kill(getmypid(), SIGKILL))->wait(10);
} catch (AsyncTask\WorkerCrashedException $e) {
    echo "crashed\n";
}
try {
    (new AsyncTask\Task(fn() => sleep(10)))->withTimeout(0.2)->dispatch()->wait(10);
} catch (AsyncTask\TaskTimeoutException $e) {
    echo "timed out\n";
}
$stats = AsyncTask\Pool::stats();
AsyncTask\Pool::stop();
foreach (file("$dir/asynctask.log", FILE_IGNORE_NEW_LINES) as $line) {
    $entry = json_decode($line, true, 8, JSON_THROW_ON_ERROR);
    echo implode(',', array_keys($entry)), "\n";
    printf("%s %s %s %s %s %s\n",
        preg_match('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/', $entry['time']) ? 'iso-time' : $entry['time'],
        $entry['level'], $entry['pid'] === $stats['manager_pid'] ? 'manager-pid' : $entry['pid'], $entry['role'],
        $entry['event'], var_export($entry['task_id'], true));
}
?>
--EXPECTF--
Warning: ini_set(): Invalid value "xml" for asynctask.log_format: "text" or "json"; the previous or default value stays in force in %s on line %d
string(4) "text"
bool(false)
crashed
timed out
time,level,pid,role,event,task_id,message
iso-time error manager-pid manager task_crashed '1'
time,level,pid,role,event,task_id,message
iso-time warning manager-pid manager task_timed_out '2'
