--TEST--
Redis Sentinel settings: redis-sentinel:// URLs accepted and refused with the reason, both passwords (the master's and sentinel_password) printed as *** in warnings and phpinfo(); asynctask.redis_replicas is 0 by default and takes 0 to 100
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['backend']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.redis_replicas=-1
--FILE--
<?php
var_dump(ini_get('asynctask.redis_replicas'));
echo "-- accepted\n";
foreach ([
    'redis-sentinel://127.0.0.1:26379/mymaster',
    'redis-sentinel://sentinel-1,sentinel-2:26380,[::1]:26381/my-master.1?db=3',
    'redis-sentinel://app:p@ss@h1:26379,h2/cache_master?db=2&sentinel_password=s%26cret',
    'redis-sentinel://:pw@h1/m?sentinel_password=x&db=0',
    'redis-sentinel://a,b,c,d,e,f,g,h/m',
] as $url) {
    echo $url, ': ', var_export(ini_set('asynctask.backend', $url) !== false, true), "\n";
}
echo "-- refused\n";
foreach ([
    'redis-sentinel://h1:26379',
    'redis-sentinel://h1:26379/',
    'redis-sentinel:///mymaster',
    'redis-sentinel://h1,/m',
    'redis-sentinel://h1:0/m',
    'redis-sentinel://h1 x/m',
    'redis-sentinel://h1/m x',
    'redis-sentinel://h1/m?db=x',
    'redis-sentinel://h1/m?timeout=1',
    'redis-sentinel://h1/m?db=1&db=2',
    'redis-sentinel://user@h1/m',
    'redis-sentinel://a,b,c,d,e,f,g,h,i/m',
    'redis-sentinel://app:s3cret@h1:0/m?sentinel_password=t0psecret&db=1',
    'redis-sentinel://h1/m?sentinel_password=t0psecret&timeout=1',
] as $url) {
    ini_set('asynctask.backend', $url);
}
echo "-- phpinfo()\n";
ini_set('asynctask.backend', 'redis-sentinel://app:s3cret@h1:26379,h2/m?db=2&sentinel_password=t0psecret');
ob_start();
(new ReflectionExtension('asynctask'))->info();
$info = ob_get_clean();
preg_match('/^asynctask\.backend => .*$/m', $info, $m);
echo $m[0], "\n";
var_dump(str_contains($info, 's3cret'), str_contains($info, 't0psecret'));
echo "-- redis_replicas\n";
var_dump(ini_set('asynctask.redis_replicas', '2'), ini_get('asynctask.redis_replicas'));
var_dump(ini_set('asynctask.redis_replicas', '101'), ini_set('asynctask.redis_replicas', 'one'),
    ini_get('asynctask.redis_replicas'));
?>
--EXPECTF--
Warning: PHP Startup: Invalid value "-1" for asynctask.redis_replicas: an integer from 0 to 100; the previous or default value stays in force in Unknown on line 0
string(1) "0"
-- accepted
redis-sentinel://127.0.0.1:26379/mymaster: true
redis-sentinel://sentinel-1,sentinel-2:26380,[::1]:26381/my-master.1?db=3: true
redis-sentinel://app:p@ss@h1:26379,h2/cache_master?db=2&sentinel_password=s%26cret: true
redis-sentinel://:pw@h1/m?sentinel_password=x&db=0: true
redis-sentinel://a,b,c,d,e,f,g,h/m: true
-- refused

Warning: ini_set(): Invalid value "redis-sentinel://h1:26379" for asynctask.backend: the master's name is missing: redis-sentinel://host:port[,host:port]/master-name; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1:26379/" for asynctask.backend: the master's name is missing: redis-sentinel://host:port[,host:port]/master-name; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel:///mymaster" for asynctask.backend: the host is missing; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1,/m" for asynctask.backend: the host is missing; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1:0/m" for asynctask.backend: the port must be a number from 1 to 65535; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1 x/m" for asynctask.backend: unexpected " x" after a Sentinel's host (expected :port, ',' or /master-name); the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1/m x" for asynctask.backend: unexpected " x" after the master's name (letters, digits, - _ . then ?db=N or ?sentinel_password=P); the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1/m?db=x" for asynctask.backend: db= must be a number from 0 to 9999; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1/m?timeout=1" for asynctask.backend: the options after the master's name are db=N and sentinel_password=P, each once and not empty; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1/m?db=1&db=2" for asynctask.backend: the options after the master's name are db=N and sentinel_password=P, each once and not empty; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://user@h1/m" for asynctask.backend: a user needs a password: write user:password@ (or :password@ for Redis' default user); the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://a,b,c,d,e,f,g,h,i/m" for asynctask.backend: more than 8 Sentinels; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://app:***@h1:0/m?sentinel_password=***&db=1" for asynctask.backend: the port must be a number from 1 to 65535; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "redis-sentinel://h1/m?sentinel_password=***&timeout=1" for asynctask.backend: the options after the master's name are db=N and sentinel_password=P, each once and not empty; the previous or default value stays in force in %s on line %d
-- phpinfo()
asynctask.backend => redis-sentinel://app:***@h1:26379,h2/m?db=2&sentinel_password=*** => no value
bool(false)
bool(false)
-- redis_replicas
string(1) "0"
string(1) "2"

Warning: ini_set(): Invalid value "101" for asynctask.redis_replicas: an integer from 0 to 100; the previous or default value stays in force in %s on line %d

Warning: ini_set(): Invalid value "one" for asynctask.redis_replicas: an integer from 0 to 100; the previous or default value stays in force in %s on line %d
bool(false)
bool(false)
string(1) "2"
