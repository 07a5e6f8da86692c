--TEST--
Redis backend settings: invalid values at startup and from ini_set() give a warning naming the setting and what it accepts (a password in a refused URL is never printed); the previous value stays in force; every accepted URL form is accepted
--EXTENSIONS--
asynctask
--INI--
asynctask.prefix=has space
asynctask.node=bad/node
asynctask.visibility_timeout=0
asynctask.max_attempts=0
asynctask.result_ttl=forever
asynctask.app_root=relative/path
--FILE--
<?php
var_dump(ini_get('asynctask.prefix'), ini_get('asynctask.node'), ini_get('asynctask.visibility_timeout'),
    ini_get('asynctask.max_attempts'), ini_get('asynctask.result_ttl'), ini_get('asynctask.app_root'));

echo "-- refused URLs\n";
foreach ([
    'http://localhost',
    'redis://',
    'redis://user@localhost',
    'redis://app:s3cret-pa55@localhost:0',
    'redis://localhost:6379/db1',
    'redis://localhost:6379/0?timeout=1',
    'redis://[::1',
    'redis://:@localhost',
    'redis://:%zz@localhost',
    'unix://relative.sock',
    'unix:///' . str_repeat('p', 120),
    'unix:///run/redis.sock?timeout=3',
    'redis-sentinel://host:26379',
    'rediss://host',
] as $url) {
    var_dump(ini_set('asynctask.backend', $url));
}
var_dump(ini_get('asynctask.backend'));

echo "-- accepted URLs\n";
foreach ([
    'redis://localhost',
    'redis://127.0.0.1:6380',
    'redis://127.0.0.1:6380/15',
    'redis://[::1]:6379/0',
    'redis://:p%40ss%3Aw%2Frd@redis.internal',
    'redis://app:p@ss@redis.internal:7000/3',
    'unix:///run/redis/redis.sock',
    'unix:///run/redis/redis.sock?db=4',
    'unix://app:pw@/run/redis/redis.sock',
    'redis-sentinel://10.0.0.1:26379,10.0.0.2/mymaster?db=2',
    '',
] as $url) {
    echo $url === '' ? '""' : $url, ': ', var_export(ini_set('asynctask.backend', $url) !== false, true), "\n";
}
var_dump(ini_set('asynctask.max_attempts', '1001'), ini_set('asynctask.visibility_timeout', '0.5'),
    ini_get('asynctask.visibility_timeout'), ini_set('asynctask.prefix', '{app}:jobs'), ini_get('asynctask.prefix'));
?>
--EXPECTF--
Warning: PHP Startup: Invalid value "has space" for asynctask.prefix: 1 to 64 letters, digits or _ - . : { }; the previous or default value stays in force in Unknown on line 0

Warning: PHP Startup: Invalid value "bad/node" for asynctask.node: "" (the hostname) or 1 to 255 letters, digits or _ - . : @; the previous or default value stays in force in Unknown on line 0

Warning: PHP Startup: Invalid value "0" for asynctask.visibility_timeout: a number of seconds from 0.001 to 604800 (7 days); the previous or default value stays in force in Unknown on line 0

Warning: PHP Startup: Invalid value "0" for asynctask.max_attempts: an integer from 1 to 1000; the previous or default value stays in force in Unknown on line 0

Warning: PHP Startup: Invalid value "forever" for asynctask.result_ttl: an integer number of seconds from 1 to 31536000 (a year); the previous or default value stays in force in Unknown on line 0

Warning: PHP Startup: Invalid value "relative/path" for asynctask.app_root: "" or an absolute path; the previous or default value stays in force in Unknown on line 0
string(9) "asynctask"
string(0) ""
string(3) "300"
string(1) "3"
string(4) "3600"
string(0) ""
-- refused URLs

Warning: ini_set(): Invalid value "http://localhost" for asynctask.backend: unknown scheme: expected "" (this machine), redis://[user:password@]host[:port][/db], unix:///path/to/redis.sock or redis-sentinel://host:port[,host:port]/master-name; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://" for asynctask.backend: the host is missing; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://user@localhost" for asynctask.backend: a user needs a password: write user:password@ (or :password@ for Redis' default user); the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://app:***@localhost:0" for asynctask.backend: the port must be a number from 1 to 65535; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://localhost:6379/db1" for asynctask.backend: the database after '/' must be a number from 0 to 9999 (query options are not supported); the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://localhost:6379/0?timeout=1" for asynctask.backend: the database after '/' must be a number from 0 to 9999 (query options are not supported); the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://[::1" for asynctask.backend: an IPv6 address needs its closing ']'; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://:***@localhost" for asynctask.backend: the password is empty; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis://:***@localhost" for asynctask.backend: the password is malformed or longer than 511 bytes (percent-encode '%', '@', ':' and '/'); the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "unix://relative.sock" for asynctask.backend: a unix socket needs an absolute path: unix:///path/to/redis.sock; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "unix:///%s" for asynctask.backend: the socket path is longer than 107 bytes (the limit of a unix socket's address); the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "unix:///run/redis.sock?timeout=3" for asynctask.backend: the only option after the socket path is ?db=N (N from 0 to 9999); the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "redis-sentinel://host:26379" for asynctask.backend: the master's name is missing: redis-sentinel://host:port[,host:port]/master-name; the previous or default value stays in force in %s on line %d
bool(false)

Warning: ini_set(): Invalid value "rediss://host" for asynctask.backend: rediss:// (TLS) is not supported: use a unix socket or a private network; the previous or default value stays in force in %s on line %d
bool(false)
string(0) ""
-- accepted URLs
redis://localhost: true
redis://127.0.0.1:6380: true
redis://127.0.0.1:6380/15: true
redis://[::1]:6379/0: true
redis://:p%40ss%3Aw%2Frd@redis.internal: true
redis://app:p@ss@redis.internal:7000/3: true
unix:///run/redis/redis.sock: true
unix:///run/redis/redis.sock?db=4: true
unix://app:pw@/run/redis/redis.sock: true
redis-sentinel://10.0.0.1:26379,10.0.0.2/mymaster?db=2: true
"": true

Warning: ini_set(): Invalid value "1001" for asynctask.max_attempts: an integer from 1 to 1000; the previous or default value stays in force in %s on line %d
bool(false)
string(3) "300"
string(3) "0.5"
string(9) "asynctask"
string(10) "{app}:jobs"
