--TEST--
A task that throws: TaskFailedException with the remote class, message, code, file, line and trace
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
function fail_deeply(int $code) { throw new DomainException("bad input", $code); }

try {
    AsyncTask\dispatch(function () { fail_deeply(42); })->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump(get_class($e), $e->getRemoteClass(), $e->getMessage(), $e->getCode());
    var_dump($e->getFile() === __FILE__, $e->getLine());
    var_dump(str_contains($e->getRemoteTraceAsString(), 'fail_deeply(42)'));
}
try {
    AsyncTask\dispatch('intdiv', 1, 0)->wait();
} catch (AsyncTask\TaskFailedException $e) {
    var_dump($e->getRemoteClass(), $e->getMessage());
}
?>
--EXPECT--
string(29) "AsyncTask\TaskFailedException"
string(15) "DomainException"
string(9) "bad input"
int(42)
bool(true)
int(2)
bool(true)
string(19) "DivisionByZeroError"
string(16) "Division by zero"
