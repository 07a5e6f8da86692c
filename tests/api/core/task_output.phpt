--TEST--
A task's output (echo, printf, warnings) goes to asynctask.log, never to the script's stdout
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log={TMP}/asynctask-phpt-task-output.log
--FILE--
<?php
$log = ini_get('asynctask.log');
@unlink($log);
echo "script starts\n";
var_dump(AsyncTask\dispatch(function (string $word) {
    echo "echoed by the task: $word\n";
    printf("printed %d\n", 42);
    trigger_error('a warning from the task', E_USER_WARNING);
    return strlen($word);
}, 'hello')->wait());
AsyncTask\Pool::stop();
echo "script ends\n";
$text = file_get_contents($log);
var_dump(str_contains($text, "echoed by the task: hello\n"), str_contains($text, "printed 42\n"),
    str_contains($text, 'a warning from the task'));
unlink($log);
?>
--EXPECT--
script starts
int(5)
script ends
bool(true)
bool(true)
bool(true)
