--TEST--
Task::withRetries() backoff, measured with hrtime() in the task: a float is the base of an exponential backoff with equal jitter (before retry r: a draw in [base*2^(r-1)/2, base*2^(r-1)]); a list gives the seconds before each retry, the last repeating; a run never starts before its backoff is over (upper bounds are loose: a loaded machine)
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Task;

$dir = asynctask_test_dir('retry_backoff');
AsyncTask\Pool::start();
$record = function (string $file, int $runs) {
    file_put_contents($file, hrtime(true) . "\n", FILE_APPEND);
    $attempt = AsyncTask\context()->attempt();
    if ($attempt < $runs) {
        throw new RuntimeException("attempt $attempt");
    }
    return $attempt;
};
function intervals(string $file): array
{
    $t = array_map('intval', file($file, FILE_IGNORE_NEW_LINES));
    $gaps = [];
    for ($i = 1; $i < count($t); $i++) {
        $gaps[] = ($t[$i] - $t[$i - 1]) / 1e9;
    }
    return $gaps;
}
function check(string $what, array $gaps, array $bounds): void
{
    foreach ($bounds as $i => [$min, $max]) {
        $ok = isset($gaps[$i]) && $gaps[$i] >= $min && $gaps[$i] <= $max + 2.0;
        echo "$what retry ", $i + 1, ': ', $ok ? 'in bounds' : sprintf('OUT OF BOUNDS (%.4f s, expected %.3f to %.3f)', $gaps[$i] ?? -1, $min, $max), "\n";
    }
}

$exp = [];
for ($i = 0; $i < 3; $i++) {
    $exp[$i] = (new Task($record, "$dir/exp$i", 4))->withRetries(3, 0.2)->dispatch();
}
$list = (new Task($record, "$dir/list", 4))->withRetries(3, [0.3, 0.1])->dispatch();
foreach ($exp as $i => $f) {
    var_dump($f->wait(20));
    check("exponential $i", intervals("$dir/exp$i"), [[0.1, 0.2], [0.2, 0.4], [0.4, 0.8]]);
}
var_dump($list->wait(20));
check('list', intervals("$dir/list"), [[0.3, 0.3], [0.1, 0.1], [0.1, 0.1]]);
?>
--EXPECT--
int(4)
exponential 0 retry 1: in bounds
exponential 0 retry 2: in bounds
exponential 0 retry 3: in bounds
int(4)
exponential 1 retry 1: in bounds
exponential 1 retry 2: in bounds
exponential 1 retry 3: in bounds
int(4)
exponential 2 retry 1: in bounds
exponential 2 retry 2: in bounds
exponential 2 retry 3: in bounds
int(4)
list retry 1: in bounds
list retry 2: in bounds
list retry 3: in bounds
