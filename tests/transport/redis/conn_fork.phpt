--TEST--
Redis connection: a forked child never writes on its parent's socket: it connects for itself (another client id), and the parent's connection stays open and in step after the child used its own and exited
--EXTENSIONS--
asynctask
pcntl
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/redis.inc';
use function AsyncTask\Testing\redisCommand;

ini_set('asynctask.backend', redis_test_url());
$key = redis_test_key('counter');
$parent = redisCommand('CLIENT', 'ID');

[$read, $write] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($read);
    $child = redisCommand('CLIENT', 'ID');
    for ($i = 0; $i < 100; $i++) {
        redisCommand('INCR', $key);
    }
    fwrite($write, "$child\n");
    exit(0);
}
fclose($write);
$child = (int) trim(fgets($read));
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump($child !== $parent);
// the parent's connection: the same one, its replies its own (no stray reply of the child's left in it)
var_dump(redisCommand('CLIENT', 'ID') === $parent, redisCommand('GET', $key), redisCommand('PING'));
redisCommand('DEL', $key);
?>
--EXPECT--
int(0)
bool(true)
bool(true)
string(3) "100"
string(4) "PONG"
