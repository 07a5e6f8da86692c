--TEST--
Invalid asynctask.* values warn naming the setting and keep the default
--EXTENSIONS--
asynctask
--INI--
asynctask.serializer=xml
asynctask.workers=-3
asynctask.queue_size=abc
asynctask.dispatch_timeout=soon
--FILE--
<?php
var_dump(ini_get('asynctask.serializer'), ini_get('asynctask.workers'), ini_get('asynctask.queue_size'),
    ini_get('asynctask.dispatch_timeout'));
var_dump(ini_set('asynctask.max_payload', '1'));
var_dump(ini_set('asynctask.workers', '2'), ini_get('asynctask.workers'));
?>
--EXPECTF--
Warning: PHP Startup: Invalid value "-3" for asynctask.workers: an integer from 0 (one per online CPU) to 1024; %s in Unknown on line 0

Warning: PHP Startup: Invalid value "abc" for asynctask.queue_size: a size from 64K to 64G, e.g. 16M; %s in Unknown on line 0

Warning: PHP Startup: Invalid value "soon" for asynctask.dispatch_timeout: a number of seconds >= 0; %s in Unknown on line 0

Warning: PHP Startup: Invalid value "xml" for asynctask.serializer: "php" or "igbinary"; %s in Unknown on line 0
string(3) "php"
string(1) "0"
string(3) "16M"
string(1) "5"

Warning: ini_set(): Invalid value "1" for asynctask.max_payload: a size from 1K to 4G, e.g. 64M; %s in %s on line %d
bool(false)
string(1) "0"
string(1) "2"
