--TEST--
Named callables refused at dispatch() when their object cannot be sent
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
namespace AsyncTaskTest\Refusals;
use AsyncTask;

require __DIR__ . '/fixtures/refused.php';
$anon = new class { public function m() { return 1; } public function __invoke() { return 2; } };
$cases = [
    'anonymous object method' => [$anon, 'm'],
    'anonymous invokable' => $anon,
    'first-class callable of an anonymous class' => $anon->m(...),
    'object holding a resource' => [new WithHandle, 'task'],
];
foreach ($cases as $name => $callable) {
    try {
        AsyncTask\dispatch($callable);
        echo "$name: NOT REFUSED\n";
    } catch (AsyncTask\SerializationException $e) {
        echo "$name: ", $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
anonymous object method: the object of callable [class@anonymous, 'm'] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
anonymous invokable: the invokable object of class class@anonymous cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
first-class callable of an anonymous class: the closure of method m() cannot be sent to a worker: it belongs to an anonymous class, which a worker cannot rebuild
object holding a resource: the object of callable [AsyncTaskTest\Refusals\WithHandle, 'task'] at [handle] cannot be sent to a worker: it is a resource (stream); resources such as files, sockets and database handles belong to one process: open them inside the task
