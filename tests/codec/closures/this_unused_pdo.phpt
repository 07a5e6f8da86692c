--TEST--
A closure declared in a method of an object holding a PDO connection: sent without $this when it does not use it (it opens its own connection in the worker), refused as before when it uses $this
--EXTENSIONS--
asynctask
--SKIPIF--
<?php if (!extension_loaded('pdo_sqlite')) die('skip pdo_sqlite not loaded'); ?>
--INI--
asynctask.workers=1
--FILE--
<?php
final class Repository
{
    private PDO $db;

    public function __construct()
    {
        $this->db = new PDO('sqlite::memory:');
    }

    /** Work for the pool: on a connection of its own, never the caller's. */
    public function countLater(): Closure
    {
        return function (int $rows): array {
            $db = new PDO('sqlite::memory:');
            $db->exec('CREATE TABLE t (x INTEGER)');
            for ($i = 0; $i < $rows; $i++) {
                $db->exec("INSERT INTO t VALUES ($i)");
            }
            return [static::class, (int) $db->query('SELECT COUNT(*) FROM t')->fetchColumn(), getmypid() !== self::callerPid()];
        };
    }

    public function onMyConnection(): Closure
    {
        return fn () => $this->db->query('SELECT 1')->fetchColumn();
    }

    private static function callerPid(): int
    {
        return (int) getenv('CALLER_PID');
    }
}

putenv('CALLER_PID=' . getmypid());  // before the pool starts: the workers inherit it
AsyncTask\Pool::start();
$repository = new Repository();
var_dump(AsyncTask\dispatch($repository->countLater(), 3)->wait());
try {
    AsyncTask\dispatch($repository->onMyConnection())->wait();
} catch (AsyncTask\SerializationException $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECTF--
array(3) {
  [0]=>
  string(10) "Repository"
  [1]=>
  int(3)
  [2]=>
  bool(true)
}
the $this bound to the closure defined at %s:%d at [%sdb] cannot be sent to a worker: objects of class PDO cannot be serialized
