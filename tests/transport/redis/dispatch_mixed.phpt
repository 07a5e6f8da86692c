--TEST--
Futures of both backends in one process: a task dispatched to this machine's pool (asynctask.backend empty) and one sent to Redis are waited for together; any() returns the one that settled first whichever transport brought it, all() returns both; changing asynctask.backend does not move a Future already made
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/dispatch.inc';

[$secret, $prefix] = dispatch_test_setup('mixed');
$remote = AsyncTask\dispatch('strtoupper', 'remote');
ini_set('asynctask.backend', '');
$local = AsyncTask\dispatch('strtoupper', 'local');
var_dump(strlen($remote->id()), ctype_digit($local->id()));

var_dump(AsyncTask\Future::any(['remote' => $remote, 'local' => $local], 10));
echo outcome(fn () => AsyncTask\Future::all(['remote' => $remote, 'local' => $local], 0.2)), "\n";

// the remote Future still reads Redis, though the backend is local now
ini_set('asynctask.backend', redis_test_url());
[$task] = array_values(node_take($prefix, $secret));
node_return($task, $secret, 'REMOTE');
ini_set('asynctask.backend', '');
var_dump(AsyncTask\Future::all(['remote' => $remote, 'local' => $local], 10));
?>
--EXPECT--
int(32)
bool(true)
string(5) "local"
AsyncTask\TimeoutException: 1 of 2 tasks did not finish within 0.2 s; they go on running: wait again for their results
array(2) {
  ["remote"]=>
  string(6) "REMOTE"
  ["local"]=>
  string(5) "LOCAL"
}
