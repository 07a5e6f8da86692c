--TEST--
asynctask.bootstrap runs in the global scope of the worker, whatever frame the pool was started from
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
asynctask.bootstrap={PWD}/bootstrap_scope.inc
--FILE--
<?php
file_put_contents(ini_get('asynctask.bootstrap'), '<?php
$config = ["dsn" => "sqlite::memory:"];
function app_config(): array { global $config; return $config; }
');
function start_from_a_function() {
    $local = 'not global';
    return AsyncTask\dispatch(fn () => [app_config(), isset($GLOBALS['config'])])->wait(10);
}
var_dump(start_from_a_function());
?>
--CLEAN--
<?php
@unlink(__DIR__ . '/bootstrap_scope.inc');
?>
--EXPECT--
array(2) {
  [0]=>
  array(1) {
    ["dsn"]=>
    string(15) "sqlite::memory:"
  }
  [1]=>
  bool(true)
}
