--TEST--
Redis nodes: two nodes (separate process trees, asynctask.node a and b, Pool::serve()) share one stream: every one of 2,000 tasks runs exactly once and gets exactly one result, both nodes serve some, each result names the node that ran it, and nothing is left in the stream or pending
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php $needs = ['server']; require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/node.inc';
use function AsyncTask\Testing\redisCommand;

const TASKS = 2000;
$dir = asynctask_test_dir('node_two');
$prefix = node_test_setup('two');
$stream = "$prefix:q:default";
$reply = "$prefix:r:test";
file_put_contents("$dir/serve.php", '<?php
AsyncTask\Pool::serve();
echo "serve() returned\n";
');
$nodes = [];
foreach (['a', 'b'] as $name) {
    $nodes[$name] = node_test_spawn($prefix, "$dir/serve.php", ['asynctask.workers' => 2, 'asynctask.node' => $name]);
}
// both are up (their pools started) before the first task is sent
var_dump(node_test_read_until($nodes['a'], ' serves ') && node_test_read_until($nodes['b'], ' serves '));

$task = function (string $dir) {
    $c = AsyncTask\context();
    file_put_contents("$dir/ran", $c->id() . ' ' . $c->node() . "\n", FILE_APPEND | LOCK_EX);
    return $c->node();
};
$ids = [];
for ($i = 0; $i < TASKS; $i++) {
    $ids[] = node_test_dispatch($prefix, [], $task, $dir)[0];
}
$results = node_test_results($reply, TASKS, 180);
var_dump(count($results), array_keys($results) == array_combine($ids, $ids) || count(array_diff($ids, array_keys($results))) === 0);
$by = array_count_values(array_map(fn ($r) => $r['node'] . '=' . $r['value'], $results));
ksort($by);
var_dump(array_keys($by), min($by) > 0);

// each ran exactly once, on the node its result names
$lines = file("$dir/ran", FILE_IGNORE_NEW_LINES);
var_dump(count($lines), count(array_unique($lines)));
$ran = [];
foreach ($lines as $line) {
    [$id, $node] = explode(' ', $line);
    $ran[$id] = $node;
}
var_dump(count($ran), count(array_filter($results, fn ($r) => ($ran[$r['id']] ?? null) === $r['node'])));
// no result twice, nothing left
var_dump(redisCommand('LLEN', $reply), redisCommand('XLEN', $stream), redisCommand('XPENDING', $stream, 'nodes')[0]);

foreach ($nodes as $name => $node) {
    posix_kill($node['pid'], SIGTERM);
    [$code, $out] = node_test_reap($node);
    echo "$name: $code ", preg_replace('/^\[.*\n/m', '', $out);
}
?>
--EXPECT--
bool(true)
int(2000)
bool(true)
array(2) {
  [0]=>
  string(3) "a=a"
  [1]=>
  string(3) "b=b"
}
bool(true)
int(2000)
int(2000)
int(2000)
int(2000)
int(0)
int(0)
int(0)
a: 0 serve() returned
b: 0 serve() returned
