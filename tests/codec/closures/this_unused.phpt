--TEST--
A closure declared in a method that never reaches $this is sent without it: an unserializable $this is no obstacle, a serializable one is not copied, and scope, static::, self::, parent::, private statics and static closures behave as in the dispatcher
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

/** The value, or the exception, with the namespace left out. */
function run(\Closure $closure, mixed ...$args): string
{
    try {
        $outcome = json_encode(AsyncTask\dispatch($closure, ...$args)->wait(10), JSON_UNESCAPED_SLASHES);
    } catch (AsyncTask\Exception $e) {
        $outcome = get_class($e) . ': ' . $e->getMessage();
    }
    return str_replace(['AsyncTaskTest\\\\Closures\\\\Web\\\\', __NAMESPACE__ . '\\'], '', $outcome);
}

// a serializable $this is not copied to the worker either (its __wakeup() would count it there)
$wakeups = fn () => $GLOBALS['controller_wakeups'] ?? 0;
$sendable = new Controller(true);
echo "--- Controller, \$this serializable\n";
echo "scopes: ", run($sendable->scopes(), 6), "\n";
echo "copies of a Controller in the worker: ", run($wakeups), "\n";
echo "a closure that uses \$this: ", run($sendable->direct()), "\n";
echo "copies of a Controller in the worker: ", run($wakeups), "\n";

// its $this holds a Closure and an object of an anonymous class: serialize() refuses it
$controllers = [new Controller(), new Child()];
foreach ($controllers as $controller) {
    $class = substr(get_class($controller), strlen(__NAMESPACE__) + 1);
    echo "--- $class, \$this unserializable\n";
    echo "scopes: ", run($controller->scopes(), 5), "\n";
    echo "arrow fn: ", run($controller->arrow(), 1), "\n";
    echo "static fn: ", run($controller->staticClosure()), "\n";
    echo "closures nested in it: ", run($controller->nestedWithoutThis()), "\n";
    echo "private members of another object: ", run($controller->otherObject(), new Controller(true)), "\n";
}
?>
--EXPECT--
--- Controller, $this serializable
scopes: ["Controller","Controller","Controller","hidden:6","private-static","parent-static:p",true]
copies of a Controller in the worker: 0
a closure that uses $this: 7
copies of a Controller in the worker: 1
--- Controller, $this unserializable
scopes: ["Controller","Controller","Controller","hidden:5","private-static","parent-static:p",true]
arrow fn: "Controller hidden:1"
static fn: "Controller private-static"
closures nested in it: "hidden:3 Controller"
private members of another object: "hidden-instance:1:7 7"
--- Child, $this unserializable
scopes: ["Child","Controller","Child","hidden:5","private-static","parent-static:p",true]
arrow fn: "Child hidden:1"
static fn: "Child private-static"
closures nested in it: "hidden:3 Child"
private members of another object: "hidden-instance:1:7 7"
