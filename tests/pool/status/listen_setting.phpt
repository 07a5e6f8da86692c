--TEST--
asynctask.status_listen: off by default (the manager listens nowhere); only loopback or a unix socket; a symlink or a file at the socket's path is never followed nor replaced
--EXTENSIONS--
asynctask
--SKIPIF--
<?php require __DIR__ . '/../../skipif.inc'; ?>
--INI--
pcre.jit=0
asynctask.workers=1
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
var_dump(ini_get('asynctask.status_listen'));
foreach (['0.0.0.0:9464', '10.1.2.3:80', '[::]:9464', 'example.com:80', '127.0.0.1:0', '127.0.0.1:70000',
          '127.0.0.1', 'unix:relative.sock', 'unix:/tmp/'] as $value) {
    var_dump(ini_set('asynctask.status_listen', $value));
}
foreach (['localhost:9464', '127.0.0.2:9464', '[::1]:9464', 'unix:/run/x.sock', ''] as $value) {
    ini_set('asynctask.status_listen', $value);
    echo $value, ' -> ', ini_get('asynctask.status_listen') === $value ? 'taken' : 'refused', "\n";
}

function socket_inodes(int $pid): array
{
    $inodes = [];
    foreach (glob("/proc/$pid/fd/*") as $fd) {
        if (preg_match('/^socket:\[(\d+)\]$/', (string) @readlink($fd), $m)) {
            $inodes[$m[1]] = true;
        }
    }
    return $inodes;
}

/* the manager's own sockets that listen (TCP in state 0A, unix with
 * __SO_ACCEPTCON), not those it inherited from this script (run-tests -j's) */
function manager_listening(): int
{
    $inodes = array_diff_key(socket_inodes(AsyncTask\Pool::stats()['manager_pid']), socket_inodes(getmypid()));
    $n = 0;
    foreach (['/proc/net/tcp', '/proc/net/tcp6'] as $table) {
        foreach (array_slice(file($table) ?: [], 1) as $line) {
            $f = preg_split('/\s+/', trim($line));
            $n += $f[3] === '0A' && isset($inodes[$f[9]]);
        }
    }
    foreach (array_slice(file('/proc/net/unix') ?: [], 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        $n += (hexdec($f[3]) & 0x10000) && isset($inodes[$f[6]]);
    }
    return $n;
}
AsyncTask\dispatch('strlen', 'x')->wait(10);
echo 'listening sockets of a manager without the setting: ', manager_listening(), "\n";
AsyncTask\Pool::stop();
ini_set('asynctask.status_listen', 'unix:' . sys_get_temp_dir() . '/asynctask-phpt-listen-' . getmypid() . '.sock');
AsyncTask\dispatch('strlen', 'x')->wait(10);
echo 'with the setting: ', manager_listening(), "\n";
ini_set('asynctask.status_listen', '');
AsyncTask\Pool::stop();

$dir = asynctask_test_dir('status-listen');
$log = "$dir/log";
ini_set('asynctask.log', $log);
file_put_contents("$dir/target", 'not yours');
symlink("$dir/target", "$dir/link.sock");
file_put_contents("$dir/file.sock", 'a file');
foreach (['link.sock', 'file.sock'] as $name) {
    ini_set('asynctask.status_listen', "unix:$dir/$name");
    AsyncTask\Pool::start(1);
    echo AsyncTask\dispatch('strtoupper', 'still runs')->wait(10), "\n";
    AsyncTask\Pool::stop();
}
echo file_get_contents("$dir/target"), ' / ', file_get_contents("$dir/file.sock"), ' / ', is_link("$dir/link.sock") ? 'link kept' : 'link gone', "\n";
echo str_replace($dir, 'DIR', file_get_contents($log));
?>
--EXPECTF--
string(0) ""

Warning: ini_set(): Invalid value "0.0.0.0:9464" for asynctask.status_listen: only a loopback address (127.0.0.0/8, ::1) or a unix socket: the endpoint speaks plain HTTP, put a TLS proxy in front to reach it from another machine; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "10.1.2.3:80" for asynctask.status_listen: only a loopback address (127.0.0.0/8, ::1) or a unix socket: the endpoint speaks plain HTTP, put a TLS proxy in front to reach it from another machine; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "[::]:9464" for asynctask.status_listen: only a loopback address (127.0.0.0/8, ::1) or a unix socket: the endpoint speaks plain HTTP, put a TLS proxy in front to reach it from another machine; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "example.com:80" for asynctask.status_listen: only a loopback address (127.0.0.0/8, ::1) or a unix socket: the endpoint speaks plain HTTP, put a TLS proxy in front to reach it from another machine; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "127.0.0.1:0" for asynctask.status_listen: the port must be from 1 to 65535; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "127.0.0.1:70000" for asynctask.status_listen: the port must be from 1 to 65535; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "127.0.0.1" for asynctask.status_listen: expected 127.0.0.1:PORT, [::1]:PORT or unix:/path; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "unix:relative.sock" for asynctask.status_listen: unix: needs an absolute path of a socket, shorter than 108 bytes; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "unix:/tmp/" for asynctask.status_listen: unix: needs an absolute path of a socket, shorter than 108 bytes; the previous or default value stays in force in %s on line %d
bool(false)
localhost:9464 -> taken
127.0.0.2:9464 -> taken
[::1]:9464 -> taken
unix:/run/x.sock -> taken
 -> taken
listening sockets of a manager without the setting: 0
with the setting: 1
STILL RUNS
STILL RUNS
not yours / a file / link kept
%Sthe status endpoint cannot listen on unix:DIR/link.sock: something that is not a socket of this user is there
%Sthe status endpoint cannot listen on unix:DIR/file.sock: something that is not a socket of this user is there
