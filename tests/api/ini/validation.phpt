--TEST--
Invalid asynctask.* values at startup and from ini_set(): a warning naming the setting and what it accepts; the default stays in force
--EXTENSIONS--
asynctask
--INI--
asynctask.serializer=xml
asynctask.workers=-3
asynctask.queue_size=abc
asynctask.dispatch_timeout=soon
asynctask.max_payload=12Q
asynctask.max_memory=12
--FILE--
<?php
var_dump(ini_get('asynctask.serializer'), ini_get('asynctask.workers'), ini_get('asynctask.queue_size'),
    ini_get('asynctask.dispatch_timeout'), ini_get('asynctask.max_payload'));
var_dump(ini_set('asynctask.max_payload', '1'), ini_get('asynctask.max_payload'));
var_dump(ini_set('asynctask.workers', '2000'), ini_get('asynctask.workers'));
var_dump(ini_set('asynctask.workers', '2'), ini_get('asynctask.workers'));
var_dump(ini_set('asynctask.task_timeout', '-1'), ini_get('asynctask.task_timeout'));
var_dump(ini_get('asynctask.max_memory'), ini_set('asynctask.max_memory', '-1M'), ini_set('asynctask.max_memory', '128M'), ini_get('asynctask.max_memory'));
// the defaults are what a pool uses: the php serializer and a 16M queue
var_dump(AsyncTask\dispatch(fn () => [1, 'two'])->wait(), AsyncTask\Pool::stats()['queue_bytes_total']);
?>
--EXPECTF--
Warning: PHP Startup: Invalid value "-3" for asynctask.workers: %s in Unknown on line 0

Warning: PHP Startup: Invalid value "abc" for asynctask.queue_size: %s in Unknown on line 0

Warning: PHP Startup: Invalid value "12Q" for asynctask.max_payload: %s in Unknown on line 0

Warning: PHP Startup: Invalid value "12" for asynctask.max_memory: %s in Unknown on line 0

Warning: PHP Startup: Invalid value "soon" for asynctask.dispatch_timeout: %s in Unknown on line 0

Warning: PHP Startup: Invalid value "xml" for asynctask.serializer: "php" or "igbinary"%s in Unknown on line 0
string(3) "php"
string(1) "0"
string(3) "16M"
string(1) "5"
string(3) "64M"

Warning: ini_set(): Invalid value "1" for asynctask.max_payload: %s in %s on line %d
bool(false)
string(3) "64M"

Warning: ini_set(): Invalid value "2000" for asynctask.workers: %s in %s on line %d
bool(false)
string(1) "0"
string(1) "0"
string(1) "2"

Warning: ini_set(): Invalid value "-1" for asynctask.task_timeout: %s in %s on line %d
bool(false)
string(1) "0"

Warning: ini_set(): Invalid value "-1M" for asynctask.max_memory: 0 (off) or a size from 1M to 1T, e.g. 128M; %s in %s on line %d
string(1) "0"
bool(false)
string(1) "0"
string(4) "128M"
array(2) {
  [0]=>
  int(1)
  [1]=>
  string(3) "two"
}
int(16777216)
