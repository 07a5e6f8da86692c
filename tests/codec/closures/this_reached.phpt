--TEST--
A closure declared in a method that can reach $this sends it, as before: $this itself, in a nested closure or arrow fn, $$name, isset($this), parent::m() of an instance method, callables naming the class ('A::m', [self::class, 'm']), compact('this'), debug_backtrace(), include; an unserializable $this is refused as before
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
namespace AsyncTaskTest\Closures\Web;

use AsyncTask;

require __DIR__ . '/fixtures/controller.php';
AsyncTask\Pool::start();

$cases = [
    '$this' => ['direct', []],
    'in an arrow fn nested in it' => ['nestedArrow', []],
    'in a closure nested two deep' => ['nestedTwice', []],
    'isset($this)' => ['issetThis', []],
    '$$name' => ['variableVariable', ['this']],
    'parent::m() of an instance method' => ['parentInstanceCall', []],
    "call_user_func('A::m')" => ['callableString', []],
    'array_map([self::class, \'m\'])' => ['callableArray', []],
    "compact('this')" => ['compactThis', []],
    'debug_backtrace()' => ['backtrace', []],
    'include' => ['includes', [__DIR__ . '/fixtures/reads_this.php']],
];
foreach ([new Controller(true), new Child(true), new Controller(), new Child()] as $controller) {
    $controller->id = 41;
    printf("--- %s, \$this %s\n", substr(get_class($controller), strlen(__NAMESPACE__) + 1),
        $controller->closure ? 'unserializable' : 'serializable');
    foreach ($cases as $name => [$method, $args]) {
        try {
            $outcome = json_encode(AsyncTask\dispatch($controller->$method(), ...$args)->wait(10));
        } catch (AsyncTask\Exception $e) {
            $outcome = get_class($e) . ': ' . $e->getMessage();
        }
        echo "$name: ", str_replace('AsyncTaskTest\\\\Closures\\\\Web\\\\', '', $outcome), "\n";
    }
}
?>
--EXPECTF--
--- Controller, $this serializable
$this: 41
in an arrow fn nested in it: 41
in a closure nested two deep: 41
isset($this): true
$$name: 41
parent::m() of an instance method: "parent-instance:41"
call_user_func('A::m'): "parent-instance:41"
array_map([self::class, 'm']): ["hidden-instance:2:41"]
compact('this'): "Controller"
debug_backtrace(): "Controller"
include: 41
--- Child, $this serializable
$this: 41
in an arrow fn nested in it: 41
in a closure nested two deep: 41
isset($this): true
$$name: 41
parent::m() of an instance method: "parent-instance:41"
call_user_func('A::m'): "parent-instance:41"
array_map([self::class, 'm']): ["hidden-instance:2:41"]
compact('this'): "Child"
debug_backtrace(): "Child"
include: 41
--- Controller, $this unserializable
$this: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
in an arrow fn nested in it: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
in a closure nested two deep: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
isset($this): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
$$name: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
parent::m() of an instance method: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
call_user_func('A::m'): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
array_map([self::class, 'm']): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
compact('this'): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
debug_backtrace(): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
include: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
--- Child, $this unserializable
$this: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
in an arrow fn nested in it: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
in a closure nested two deep: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
isset($this): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
$$name: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
parent::m() of an instance method: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
call_user_func('A::m'): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
array_map([self::class, 'm']): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
compact('this'): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
debug_backtrace(): AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
include: AsyncTask\SerializationException: the $this bound to the closure defined at %sfixtures%ccontroller.php:%d at [anonymous] cannot be sent to a worker: it is an object of an anonymous class, which cannot be serialized
