--TEST--
asynctask.serializer=igbinary without the igbinary extension: dispatch() refuses clearly, nothing is sent
--EXTENSIONS--
asynctask
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
$dir = asynctask_test_dir('no-igbinary');
file_put_contents("$dir/script.php", <<<'PHP'
<?php
var_dump(extension_loaded('igbinary'), ini_get('asynctask.serializer'));
try {
    AsyncTask\dispatch('strlen', 'abc');
    echo "dispatched\n";
} catch (AsyncTask\SerializationException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(AsyncTask\Pool::stats()['queued']);
PHP);
// a php without php.ini: no igbinary
echo shell_exec(asynctask_test_command("$dir/script.php", ['asynctask.serializer' => 'igbinary', 'asynctask.workers' => 1]));
?>
--EXPECT--
bool(false)
string(8) "igbinary"
AsyncTask\SerializationException: asynctask.serializer=igbinary but the igbinary extension is not loaded
int(0)
