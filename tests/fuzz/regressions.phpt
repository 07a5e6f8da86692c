--TEST--
Fuzz regressions: crafted and corrupted payloads settle with TaskFailedException, never crash or kill a worker (FAILS until the decoder refuses the fuzz findings F1-F6)
--DESCRIPTION--
Replays what tests/fuzz/fuzz.php found, minimized (see the fuzz report), plus
a sample of tricky payloads the decoder already rejects. Each must settle with
a TaskFailedException: a WorkerCrashedException (a signal, a fatal error) is a
decoder bug. Until src/callable.c, src/closure.c and src/worker.c handle F1-F6 this test
FAILS on the lines marked "# Fn" below (they print WorkerCrashedException).
  F1 a "fake" (method closure) description of a non-static method without
     "this" (decode_fake_method() binds no object; the method runs with a
     NULL $this)
  F2 a "fake" description whose "this" is not an instance of the method's
     class (internal methods read their object's C struct: SIGSEGV, SIGABRT,
     huge allocations, "X::format() must be derived from ..." fatals)
  F3 a "fake" description of an abstract method (interface or abstract
     class: no code to run)
  F4 a closure description with "scope" but no "called_scope": the closure
     is created with a NULL called scope; static:: dereferences it
  F5 a closure description naming a file that fails to compile fatally
     (E_COMPILE_ERROR, with the file's right md5): the worker bails out
  F6 a closure description naming a large file (here a sparse 300 MiB one):
     read_source() reads it whole into memory before the fingerprint is
     compared; past memory_limit the Zend allocator ends the worker (exit
     status 137, "Hard memory limit ... exhausted")
--EXTENSIONS--
asynctask
--SKIPIF--
<?php
if (!extension_loaded('asynctask')) die('skip asynctask not loaded');
if (!function_exists('AsyncTask\Testing\dispatchPayload')) {
    die('skip needs a fault-injection build (./configure --enable-asynctask --enable-asynctask-fault-injection)');
}
?>
--INI--
asynctask.workers=2
memory_limit=128M
--FILE--
<?php
use AsyncTask\Testing;
use AsyncTaskFuzz\Mutator as M;

require __DIR__ . '/corpus.inc';
require __DIR__ . '/mutator.inc';

$log = sys_get_temp_dir() . '/asynctask-fuzz-regressions-' . getmypid() . '.log';
ini_set('asynctask.log', $log);  // the manager logs each crash: not into this test's output

function fake(array $desc): string
{
    return serialize(['c' => ['kind' => 'fake'] + $desc, 'a' => []]);
}

/** A payload encode() made, its description changed by $change. */
function changed(callable $callable, array $args, callable $change): string
{
    $env = unserialize(Testing\encode($callable, ...$args));
    $env['c'] = $change($env['c']);
    return serialize($env);
}

$staticScoped = Closure::bind(static function () {
    return static::class;
}, null, AsyncTaskFuzz\Rect::class);
$withUse = function (int $x = 1) use ($log) {
    return $x;
};
$compileError = __DIR__ . '/fixtures/compile_error.php';
$big = sys_get_temp_dir() . '/asynctask-fuzz-big-' . getmypid() . '.php';
$h = fopen($big, 'w');
ftruncate($h, 300 << 20);  // sparse (no disk space), past the hard limit of memory_limit=128M (256M)
fclose($h);

$cases = [
    // --- findings (minimized) ---
    '# F1 user method, no $this' => fake(['class' => 'AsyncTaskFuzz\Point', 'method' => 'sum']),
    '# F1 __destruct, no $this' => fake(['class' => 'AsyncTaskFuzz\Wakes', 'method' => '__destruct']),
    '# F1 internal method, no $this' => fake(['class' => 'ArrayObject', 'method' => 'count']),
    '# F1 SplFixedArray::jsonSerialize, no $this (garbage size)' => fake(['class' => 'SplFixedArray', 'method' => 'jsonSerialize']),
    '# F2 ArrayObject::count, $this stdClass' => fake(['class' => 'ArrayObject', 'method' => 'count', 'this' => new stdClass()]),
    '# F2 DateTime::format, $this Point (fatal)' => fake(['class' => 'DateTime', 'method' => 'format', 'this' => new AsyncTaskFuzz\Point()]),
    '# F2 Task::dispatch, $this an enum' => fake(['class' => 'AsyncTask\Task', 'method' => 'dispatch', 'this' => AsyncTaskFuzz\Suit::Hearts]),
    'user method, $this of another class' => fake(['class' => 'AsyncTaskFuzz\Rect', 'method' => 'tags', 'this' => new AsyncTaskFuzz\Point()]),
    '# F3 interface method, $this implements it' => fake(['class' => 'Countable', 'method' => 'count', 'this' => new ArrayObject([1])]),
    '# F3 abstract static interface method' => fake(['class' => 'UnitEnum', 'method' => 'cases']),
    '# F4 static closure, scope without called_scope' => changed($staticScoped, [], function ($d) {
        unset($d['called_scope']);
        return $d;
    }),
    '# F5 closure in a file that does not compile' => changed($withUse, [], function ($d) use ($compileError) {
        return ['file' => $compileError, 'md5' => md5_file($compileError)] + $d;
    }),
    '# F6 closure in a 300 MiB file' => changed($withUse, [], fn ($d) => ['file' => $big] + $d),

    // --- already rejected: keep it that way ---
    'empty payload' => '',
    'not an envelope' => 'i:1;',
    'empty envelope' => 'a:0:{}',
    'truncated' => substr(Testing\encode($withUse, 5), 0, 40),
    'trailing bytes' => Testing\encode('strlen', 'abc') . 'N;',
    'wrong string length' => str_replace('s:6:"strlen"', 's:9:"strlen"', Testing\encode('strlen', 'abc')),
    'huge string length' => str_replace('s:6:"strlen"', 's:999999999:"strlen"', Testing\encode('strlen', 'abc')),
    'huge array count' => str_replace('a:1:{i:0;s:3', 'a:2147483647:{i:0;s:3', Testing\encode('strlen', 'abc')),
    'unknown kind' => serialize(['c' => ['kind' => 'nope'], 'a' => []]),
    'no kind' => serialize(['c' => ['name' => 'strlen'], 'a' => []]),
    'args not an array' => serialize(['c' => ['kind' => 'function', 'name' => 'strlen'], 'a' => 'abc']),
    'unknown function' => serialize(['c' => ['kind' => 'function', 'name' => 'no_such_function'], 'a' => []]),
    'unknown class' => fake(['class' => 'No\Such\ClassName', 'method' => 'm']),
    'Closure object in args' => 'a:2:{s:1:"c";a:2:{s:4:"kind";s:8:"function";s:4:"name";s:6:"strlen";}s:1:"a";a:1:{i:0;O:7:"Closure":0:{}}}',
    'Generator object in args' => 'a:2:{s:1:"c";a:2:{s:4:"kind";s:8:"function";s:4:"name";s:6:"strlen";}s:1:"a";a:1:{i:0;O:9:"Generator":0:{}}}',
    'Future object as the task' => 'a:1:{s:1:"o";' . M::obj('AsyncTask\Future') . '}',
    'plain Task object without a callable' => 'a:1:{s:1:"o";' . M::obj('AsyncTask\Task') . '}',
    'incomplete class as the task' => 'a:1:{s:1:"o";' . M::obj('No\Such\TaskClass') . '}',
    'bad ArrayObject (Serializable data)' => 'a:2:{s:1:"c";a:2:{s:4:"kind";s:8:"function";s:4:"name";s:6:"strlen";}s:1:"a";a:1:{i:0;C:11:"ArrayObject":5:{x:i:0}}}',
    'bad enum case' => 'a:2:{s:1:"c";a:2:{s:4:"kind";s:8:"function";s:4:"name";s:6:"strlen";}s:1:"a";a:1:{i:0;E:23:"AsyncTaskFuzz\Suit:Nope";}}',
    'typed property of the wrong type' => 'a:2:{s:1:"c";a:2:{s:4:"kind";s:8:"function";s:4:"name";s:6:"strlen";}s:1:"a";a:1:{i:0;' . M::obj('AsyncTaskFuzz\Point', ['x' => M::s('abc')]) . '}}',
    'dangling reference' => 'a:2:{s:1:"c";a:2:{s:4:"kind";s:8:"function";s:4:"name";s:6:"strlen";}s:1:"a";a:1:{i:0;R:99;}}',
    'nested 5000 deep' => serialize(['c' => ['kind' => 'function', 'name' => 'count'], 'a' => [(function () {
        $a = [];
        for ($i = 0; $i < 5000; $i++) {
            $a = [$a];
        }
        return $a;
    })()]]),
    'closure path out of range' => changed($withUse, [], fn ($d) => ['path' => [99]] + $d),
    'closure path 40 deep' => changed($withUse, [], fn ($d) => ['path' => array_fill(0, 40, 0)] + $d),
    'closure lines swapped' => changed($withUse, [], fn ($d) => ['lines' => array_reverse($d['lines'])] + $d),
    'closure num_args wrong' => changed($withUse, [], fn ($d) => ['num_args' => 7] + $d),
    'closure md5 wrong' => changed($withUse, [], fn ($d) => ['md5' => str_repeat('0', 32)] + $d),
    'closure file missing' => changed($withUse, [], fn ($d) => ['file' => '/no/such/file.php'] + $d),
    'closure file a directory' => changed($withUse, [], fn ($d) => ['file' => __DIR__] + $d),
    'closure file that does not parse' => changed($withUse, [], fn ($d) => ['file' => __DIR__ . '/fixtures/parse_error.php',
        'md5' => md5_file(__DIR__ . '/fixtures/parse_error.php')] + $d),
    'closure unknown use variable' => changed($withUse, [], fn ($d) => ['vars' => ['nope' => 1]] + $d),
    'closure $this not an object' => changed($withUse, [], fn ($d) => ['this' => 'x'] + $d),
    'closure scope unknown' => changed($withUse, [], fn ($d) => ['scope' => 'No\Such\Scope'] + $d),
];

// F4 may be fixed by refusing the payload, or by defaulting called_scope to scope (as Closure::bind() does)
$valueIsFine = ['# F4 static closure, scope without called_scope' => 'AsyncTaskFuzz\Rect'];
foreach ($cases as $name => $payload) {
    try {
        $value = Testing\dispatchPayload($payload)->wait(30);
        if (array_key_exists($name, $valueIsFine) && $value === $valueIsFine[$name]) {
            echo "$name: TaskFailedException or the right value\n";
            continue;
        }
        echo "$name: returned ", get_debug_type($value), "\n";
    } catch (AsyncTask\WorkerCrashedException $e) {
        echo "$name: WorkerCrashedException\n";
    } catch (AsyncTask\TaskFailedException $e) {
        echo "$name: TaskFailedException", array_key_exists($name, $valueIsFine) ? ' or the right value' : '', "\n";
    }
}
// the pool is whole and answers
var_dump(AsyncTask\dispatch('strtoupper', 'still here')->wait(30));
$stats = AsyncTask\Pool::stats();
var_dump($stats['dispatched'] === $stats['completed'] + $stats['failed']);
AsyncTask\Pool::stop(10);
@unlink($log);
unlink($big);
?>
--EXPECT--
# F1 user method, no $this: TaskFailedException
# F1 __destruct, no $this: TaskFailedException
# F1 internal method, no $this: TaskFailedException
# F1 SplFixedArray::jsonSerialize, no $this (garbage size): TaskFailedException
# F2 ArrayObject::count, $this stdClass: TaskFailedException
# F2 DateTime::format, $this Point (fatal): TaskFailedException
# F2 Task::dispatch, $this an enum: TaskFailedException
user method, $this of another class: TaskFailedException
# F3 interface method, $this implements it: TaskFailedException
# F3 abstract static interface method: TaskFailedException
# F4 static closure, scope without called_scope: TaskFailedException or the right value
# F5 closure in a file that does not compile: TaskFailedException
# F6 closure in a 300 MiB file: TaskFailedException
empty payload: TaskFailedException
not an envelope: TaskFailedException
empty envelope: TaskFailedException
truncated: TaskFailedException
trailing bytes: TaskFailedException
wrong string length: TaskFailedException
huge string length: TaskFailedException
huge array count: TaskFailedException
unknown kind: TaskFailedException
no kind: TaskFailedException
args not an array: TaskFailedException
unknown function: TaskFailedException
unknown class: TaskFailedException
Closure object in args: TaskFailedException
Generator object in args: TaskFailedException
Future object as the task: TaskFailedException
plain Task object without a callable: TaskFailedException
incomplete class as the task: TaskFailedException
bad ArrayObject (Serializable data): TaskFailedException
bad enum case: TaskFailedException
typed property of the wrong type: TaskFailedException
dangling reference: TaskFailedException
nested 5000 deep: TaskFailedException
closure path out of range: TaskFailedException
closure path 40 deep: TaskFailedException
closure lines swapped: TaskFailedException
closure num_args wrong: TaskFailedException
closure md5 wrong: TaskFailedException
closure file missing: TaskFailedException
closure file a directory: TaskFailedException
closure file that does not parse: TaskFailedException
closure unknown use variable: TaskFailedException
closure $this not an object: TaskFailedException
closure scope unknown: TaskFailedException
string(10) "STILL HERE"
bool(true)
