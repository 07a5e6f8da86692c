--TEST--
A task that throws: TaskFailedException with the remote class, message, code, file, line and trace; the worker goes on
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
function fail_deeply(int $code) { throw new DomainException("bad input", $code); }
class BadRecord extends RuntimeException {}

try {
    AsyncTask\dispatch(function () { fail_deeply(42); })->wait();
    echo "no exception\n";
} catch (AsyncTask\TaskFailedException $e) {
    var_dump(get_class($e), $e->getRemoteClass(), $e->getMessage(), $e->getCode());
    var_dump($e->getFile() === __FILE__, $e->getLine());
    var_dump($e instanceof AsyncTask\Exception, $e instanceof RuntimeException);
    $trace = $e->getRemoteTraceAsString();
    var_dump(str_contains($trace, 'fail_deeply(42)'), str_starts_with($trace, '#0 '));
}
try {
    AsyncTask\dispatch('intdiv', 1, 0)->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump($e->getRemoteClass(), $e->getMessage());
}
try {
    AsyncTask\dispatch(fn () => throw new BadRecord('row 7 is broken', 500))->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump($e->getRemoteClass(), $e->getMessage(), $e->getCode(), $e->getLine());
}
// a failed task does not take its worker down
var_dump(AsyncTask\dispatch('getmypid')->wait() === AsyncTask\dispatch('getmypid')->wait());
$s = AsyncTask\Pool::stats();
var_dump($s['failed'], $s['crashed'], $s['respawned']);
?>
--EXPECT--
string(29) "AsyncTask\TaskFailedException"
string(15) "DomainException"
string(9) "bad input"
int(42)
bool(true)
int(2)
bool(true)
bool(true)
bool(true)
bool(true)
string(19) "DivisionByZeroError"
string(16) "Division by zero"
string(9) "BadRecord"
string(15) "row 7 is broken"
int(500)
int(21)
bool(true)
int(3)
int(0)
int(0)
