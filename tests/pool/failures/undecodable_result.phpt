--TEST--
A return value PHP's serializer writes but cannot read back (an array that contains itself under a typed property): the caller gets SerializationException, and stats() count the task failed, not completed
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
--FILE--
<?php
final class Node
{
    public array $items = [];
}

$f = AsyncTask\dispatch(static function () {
    $node = new Node();
    $node->items = ['x', $node];  // the array holds the object that holds the array:
    return $node->items;          // serialize() writes its inner occurrence as N;
});
for ($i = 0; $i < 2; $i++) {  // the same outcome on every wait
    try {
        var_dump($f->wait(10));
    } catch (AsyncTask\SerializationException $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$s = AsyncTask\Pool::stats();
echo "dispatched {$s['dispatched']}, completed {$s['completed']}, failed {$s['failed']}\n";
var_dump(AsyncTask\dispatch('strrev', 'ok')->wait(10));
?>
--EXPECTF--
AsyncTask\SerializationException: the task's return value cannot be decoded in the caller: %s
AsyncTask\SerializationException: the task's return value cannot be decoded in the caller: %s
dispatched 1, completed 0, failed 1
string(2) "ko"
