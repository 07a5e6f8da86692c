--TEST--
Fuzz regressions: crafted and corrupted payloads (envelope and closure form) settle with TaskFailedException, never crash or kill a worker
--DESCRIPTION--
Replays what tests/codec/fuzz/fuzz.php found, minimized (see the fuzz report), plus
a sample of tricky payloads the decoder already rejects. Each must settle with
a TaskFailedException: a WorkerCrashedException (a signal, a fatal error) is a
decoder bug. F1-F10 are fixed (F8-F10: the worker refuses, as the
dispatcher does, a closure that declares something, is a generator, has
static variables or captures by reference: asynctask_closure_refusal_for_code()
in src/codec/closure/locate.c). FUZZ_REGRESSIONS_VERBOSE=1 prints each outcome's message
on stderr. Values made of scalars and arrays of scalars travel in the
compact encoding (src/compact.h): "compact ..." cases corrupt it.
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
  (F7 is igbinary's own crash, see minimize.php)
The closure wire form ("\xA7AT2", code reference length, code reference,
values; src/payload.c) has its own cases ("cf ..."): a broken header,
length, code reference or values array must be refused, a valid code
reference sent again with other values (the worker's cache of resolved code
references) must give the right values. The F1-F6 cases edit the old
envelope form, which the worker still accepts: closure payloads are
converted to it (closure_form_to_envelope() in mutator.inc).
  F8 a code reference (either form) pointing at a closure whose body declares
     a class or an anonymous class (fixtures/refused.php; the dispatcher
     refuses to send those): the worker compiled the file detached, the
     class's runtime definition key is not in EG(class_table), and
     ZEND_DECLARE_CLASS / ZEND_DECLARE_ANON_CLASS dereference NULL (SIGSEGV)
  F9 the same for a closure declaring a named function: the second run in a
     worker is a fatal "Cannot redeclare" (the worker dies)
  F10 the same for a closure capturing by reference or with a static
     variable, not in the values' use variables: the engine gets a reference
     holding IS_UNDEF ("return $r" returns int(0)); must be refused (or null)
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

/** The envelope form of what encode() makes (closures come in the closure form: converted). */
function envelope(callable $callable, array $args): array
{
    $env = AsyncTaskFuzz\decode_envelope(Testing\encode($callable, ...$args), 'php');
    if (!is_array($env)) {
        throw new LogicException('encode() made no envelope');
    }
    return $env;
}

/** A payload encode() made, as an envelope, its description changed by $change. */
function changed(callable $callable, array $args, callable $change): string
{
    $env = envelope($callable, $args);
    $env['c'] = $change($env['c']);
    return serialize($env);
}

/** A closure-form payload encode() made, its parts decoded: [code description, values]. */
function parts(Closure $closure, array $args = []): array
{
    $payload = Testing\encode($closure, ...$args);
    if (!AsyncTaskFuzz\is_closure_form($payload)) {
        throw new LogicException('encode() made no closure-form payload');
    }
    return AsyncTaskFuzz\decode_closure_form($payload, 'php');
}

/** A closure-form payload of a closure's code reference and values, changed by $change($code, $values). */
function cf(Closure $closure, array $args, callable $change): string
{
    [$code, $values] = $change(...parts($closure, $args));
    return AsyncTaskFuzz\encode_closure_form($code, $values, 'php');
}

/**
 * An envelope-form payload as PHP's serializer writes it: encode() writes
 * the compact encoding when the values allow (src/compact.h), and the cases
 * below edit serialize() output byte by byte.
 */
function php_serialized(string $payload): string
{
    return serialize(AsyncTaskFuzz\values_decode($payload, 'php'));
}

/** The same with the code reference's or the values' bytes replaced or changed (values as serialize() writes them). */
function cf_bytes(Closure $closure, array $args, ?callable $code = null, ?callable $values = null): string
{
    [$c, $v] = AsyncTaskFuzz\split_closure_form(Testing\encode($closure, ...$args));
    $v = php_serialized($v);
    return AsyncTaskFuzz\join_closure_form($code ? $code($c) : $c, $values ? $values($v) : $v);
}

/** A code reference (closure form) to the $i-th closure of fixtures/refused.php. */
function refused(int $i, array $vars = []): string
{
    $file = __DIR__ . '/fixtures/refused.php';
    $line = array_keys(array_filter(file($file), fn ($l) => preg_match('/^\$\w+ = function/', $l)))[$i] + 1;
    $code = ['kind' => 'closure', 'file' => $file, 'root' => 'main', 'path' => [$i], 'lines' => [$line, $line],
        'num_args' => 0, 'md5' => md5_file($file)];
    return AsyncTaskFuzz\encode_closure_form($code, [$vars, null, null, null, []], 'php');
}

$staticScoped = Closure::bind(static function () {
    return static::class;
}, null, AsyncTaskFuzz\Rect::class);
$withUse = function (int $x = 1) use ($log) {
    return $x;
};
$pair = function (int $x = 0) use ($log) {
    return [$x, $log];
};
$bound = (new AsyncTaskFuzz\Rect(2.0, 3.0))->scaler(10.0);
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
    'truncated' => substr(serialize(envelope($withUse, [5])), 0, 40),
    'trailing bytes' => Testing\encode('strlen', 'abc') . 'N;',
    // the compact encoding of an envelope ['c' => [...], 'a' => [...]] and of a closure form's values
    'compact: magic only' => "\xF5",
    'compact: unknown tag' => "\xF5X",
    'compact: string longer than the payload' => "\xF5S" . pack('V', 1000) . 'abc',
    'compact: array count past the payload' => "\xF5A" . pack('V', 0x7FFFFFFF) . 'iN',
    'compact: array cut in an entry' => substr(Testing\encode('strlen', 'abc'), 0, 30),
    'compact: key of a wrong tag' => "\xF5A" . pack('V', 1) . 'xN' . str_repeat('N', 8),
    'compact: trailing bytes' => Testing\encode('strlen', 'abc') . 'N',
    'compact: deeper than 16 arrays' => "\xF5" . str_repeat('A' . pack('V', 1) . 'i' . pack('P', 0), 40) . 'N',
    'compact: envelope of a wrong shape' => Testing\encodeValue(['c' => 'strlen', 'a' => ['abc']]),
    'compact: closure values cut' => (function () use ($withUse) {
        [$c, $v] = AsyncTaskFuzz\split_closure_form(Testing\encode($withUse, 1));
        return AsyncTaskFuzz\join_closure_form($c, substr($v, 0, -3));
    })(),
    'compact: closure values with a float for the arguments' => (function () use ($withUse) {
        [$c] = AsyncTaskFuzz\split_closure_form(Testing\encode($withUse, 1));
        return AsyncTaskFuzz\join_closure_form($c, Testing\encodeValue([[], null, null, null, 1.5]));
    })(),
    'wrong string length' => str_replace('s:6:"strlen"', 's:9:"strlen"', php_serialized(Testing\encode('strlen', 'abc'))),
    'huge string length' => str_replace('s:6:"strlen"', 's:999999999:"strlen"', php_serialized(Testing\encode('strlen', 'abc'))),
    'huge array count' => str_replace('a:1:{i:0;s:3', 'a:2147483647:{i:0;s:3', php_serialized(Testing\encode('strlen', 'abc'))),
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
    'closure as an envelope (the old form)' => serialize(envelope($pair, [4])),

    // --- the closure form: header and lengths ---
    'cf magic only' => AsyncTaskFuzz\WIRE_CLOSURE,
    'cf truncated header' => AsyncTaskFuzz\WIRE_CLOSURE . "\x05\x00",
    'cf header only (code length 0, nothing after)' => AsyncTaskFuzz\WIRE_CLOSURE . pack('V', 0),
    'cf code length past the end by one' => (function () use ($pair) {
        $p = Testing\encode($pair, 1);
        return substr_replace($p, pack('V', strlen($p) - 8 + 1), 4, 4);
    })(),
    'cf code length 4294967295' => substr_replace(Testing\encode($pair, 1), pack('V', 0xFFFFFFFF), 4, 4),
    'cf code length 0 (code and values read as the values)' => substr_replace(Testing\encode($pair, 1), pack('V', 0), 4, 4),
    'cf code length one short' => (function () use ($pair) {
        $p = Testing\encode($pair, 1);
        return substr_replace($p, pack('V', unpack('V', $p, 4)[1] - 1), 4, 4);
    })(),
    'cf no values' => cf_bytes($pair, [1], null, fn ($v) => ''),
    'cf truncated values' => cf_bytes($pair, [1], null, fn ($v) => substr($v, 0, -3)),

    // --- the closure form: the code reference ---
    'cf code reference not unserializable' => cf_bytes($pair, [1], fn ($c) => 'x:1;'),
    'cf code reference truncated' => cf_bytes($pair, [1], fn ($c) => substr($c, 0, -2)),
    'cf code reference with trailing garbage' => cf_bytes($pair, [1], fn ($c) => $c . 'N;'),
    'cf code reference an int' => cf_bytes($pair, [1], fn ($c) => 'i:1;'),
    'cf code reference a string' => cf_bytes($pair, [1], fn ($c) => 's:3:"abc";'),
    'cf code reference an object' => cf_bytes($pair, [1], fn ($c) => M::obj('AsyncTaskFuzz\Wakes')),
    'cf code reference an empty array' => cf_bytes($pair, [1], fn ($c) => 'a:0:{}'),
    'cf code reference md5 wrong' => cf($pair, [1], fn ($c, $v) => [['md5' => str_repeat('0', 32)] + $c, $v]),
    'cf code reference md5 not a string' => cf($pair, [1], fn ($c, $v) => [['md5' => 0] + $c, $v]),
    'cf code reference path wrong' => cf($pair, [1], fn ($c, $v) => [['path' => [99]] + $c, $v]),
    'cf code reference path empty' => cf($pair, [1], fn ($c, $v) => [['path' => []] + $c, $v]),
    'cf code reference path of another closure' => cf($pair, [1], fn ($c, $v) => [['path' => [0]] + $c, $v]),
    'cf code reference lines wrong' => cf($pair, [1], fn ($c, $v) => [['lines' => [$c['lines'][0], $c['lines'][1] + 1]] + $c, $v]),
    'cf code reference num_args wrong' => cf($pair, [1], fn ($c, $v) => [['num_args' => 2] + $c, $v]),
    'cf code reference root method without class' => cf($bound, [1.0], fn ($c, $v) => [array_diff_key($c, ['class' => 1]), $v]),
    'cf code reference file missing' => cf($pair, [1], fn ($c, $v) => [['file' => '/no/such/file.php'] + $c, $v]),
    'cf code reference of a file that does not compile' => cf($pair, [1], fn ($c, $v) => [['file' => $compileError,
        'md5' => md5_file($compileError)] + $c, $v]),

    // --- the closure form: the values ---
    'cf values not an array' => cf_bytes($pair, [1], null, fn ($v) => 'i:1;'),
    'cf values empty' => cf($pair, [1], fn ($c, $v) => [$c, []]),
    'cf values without index 4 (args)' => cf($pair, [1], fn ($c, $v) => [$c, array_slice($v, 0, 4, true)]),
    'cf args not an array' => cf($pair, [1], fn ($c, $v) => [$c, [4 => 'abc'] + $v]),
    'cf vars not an array' => cf($pair, [1], fn ($c, $v) => [$c, [0 => 'x'] + $v]),
    'cf vars missing' => cf($pair, [1], fn ($c, $v) => [$c, array_diff_key($v, [0 => 1])]),
    'cf unknown use variable' => cf($pair, [1], fn ($c, $v) => [$c, [0 => ['nope' => 1]] + $v]),
    'cf use variable with an int key' => cf($pair, [1], fn ($c, $v) => [$c, [0 => [1]] + $v]),
    'cf $this an int' => cf($pair, [1], fn ($c, $v) => [$c, [1 => 1] + $v]),
    'cf $this of an undeclared class' => cf_bytes($pair, [1], null, fn ($v) => str_replace('i:1;N;', 'i:1;' . M::obj('No\Such\ThisClass'), $v)),
    'cf scope an undefined class' => cf($pair, [1], fn ($c, $v) => [$c, [2 => 'No\Such\Scope'] + $v]),
    'cf scope an int' => cf($pair, [1], fn ($c, $v) => [$c, [2 => 7] + $v]),
    'cf called scope an undefined class' => cf($pair, [1], fn ($c, $v) => [$c, [3 => 'No\Such\Scope'] + $v]),
    'cf bound closure, $this an incomplete class' => cf_bytes($bound, [1.0], null,
        fn ($v) => str_replace('O:18:"AsyncTaskFuzz\Rect"', 'O:18:"AsyncTaskFuzz\Nope"', $v)),
    // the dispatcher leaves $this out only when the code cannot reach it: a
    // closure using it that arrives without one fails ("Using $this when not
    // in object context": closures fetch $this with a check)
    'cf bound closure, $this left out' => cf($bound, [1.0], fn ($c, $v) => [$c, [1 => null] + $v]),
    'closure bound, $this left out' => changed($bound, [1.0], fn ($d) => array_diff_key($d, ['this' => 1])),

    // --- F8-F10: code references to closures the dispatcher refuses (fixtures/refused.php) ---
    '# F8 closure declaring a class' => refused(0),
    '# F8 closure declaring a class (envelope)' => serialize(AsyncTaskFuzz\closure_form_to_envelope(
        ...AsyncTaskFuzz\decode_closure_form(refused(0), 'php'))),
    '# F8 closure declaring an anonymous class' => refused(1),
    // three times on two workers: one of them runs it twice
    '# F9 closure declaring a named function, 3 times' => [refused(2), refused(2), refused(2)],
    '# F10 closure capturing by reference, not sent' => refused(3),
    '# F10 closure with a static variable, not sent' => refused(4),
    'closure that is a generator (its result is refused, or it is)' => refused(5),
];

// The worker resolves a code reference once and keeps it by its bytes: the
// same code reference sent again with other values must run with those.
$cached = [];
foreach ([1, 2, 3] as $round) {
    foreach ([[10, 'A'], [20, 'B']] as [$x, $use]) {
        $name = "cf cached code reference, round $round, x=$x \$log=$use";
        $cached[$name] = [$x, $use];
        $cases[$name] = cf($pair, [$x], fn ($c, $v) => [$c, [0 => ['log' => $use]] + $v]);
    }
}
// (the same bytes as dispatch() sends, so that the worker finds them in its cache)
echo 'cached code reference bytes are encode()\'s: ', var_export(AsyncTaskFuzz\split_closure_form($cases[$name])[0]
    === AsyncTaskFuzz\split_closure_form(Testing\encode($pair, 1))[0], true), "\n";

// F4 may be fixed by refusing the payload, or by defaulting called_scope to scope (as Closure::bind() does);
// F10 by refusing, or by leaving the variable null (what the closure would have seen)
$valueIsFine = ['# F4 static closure, scope without called_scope' => 'AsyncTaskFuzz\Rect',
    '# F10 closure capturing by reference, not sent' => null, '# F10 closure with a static variable, not sent' => null];
// valid payloads: they must return this
$rightValue = $cached + ['closure as an envelope (the old form)' => [4, $log]];
// the worker may refuse it, or run it and refuse what it returns
$eitherRefusal = ['closure that is a generator (its result is refused, or it is)' => true];

/** How one payload settles, as printed below. */
function outcome(string $name, string $payload, array $rightValue, array $valueIsFine, array $eitherRefusal): string
{
    try {
        $value = Testing\dispatchPayload($payload)->wait(30);
        if (array_key_exists($name, $rightValue) && $value === $rightValue[$name]) {
            return 'the right value';
        }
        if (array_key_exists($name, $valueIsFine) && $value === $valueIsFine[$name]) {
            return 'TaskFailedException or the right value';
        }
        $outcome = 'returned ' . get_debug_type($value);
    } catch (AsyncTask\WorkerCrashedException $e) {
        $outcome = 'WorkerCrashedException';
    } catch (AsyncTask\TaskFailedException $e) {
        $outcome = 'TaskFailedException' . (array_key_exists($name, $valueIsFine) ? ' or the right value' : '');
    } catch (AsyncTask\SerializationException $e) {
        // the payload decoded, what it returned cannot come back
        $outcome = 'SerializationException';
    }
    if (isset($eitherRefusal[$name]) && isset($e) && !$e instanceof AsyncTask\WorkerCrashedException) {
        $outcome = 'TaskFailedException or SerializationException';
    }
    if (getenv('FUZZ_REGRESSIONS_VERBOSE')) {  // why each one was refused, for whoever changes the decoder
        fprintf(STDERR, "%s: %s\n", $name, isset($e) ? $e->getMessage() : var_export($value, true));
    }
    return $outcome;
}

// Each payload once, one after the other (the cache cases and F9 run after
// the one before); a list of payloads prints the outcomes it had, in order.
foreach ($cases as $name => $payloads) {
    $outcomes = [];
    foreach ((array) $payloads as $payload) {
        $outcomes[] = outcome($name, $payload, $rightValue, $valueIsFine, $eitherRefusal);
    }
    echo "$name: ", implode(', ', array_unique($outcomes)), "\n";
}
// a wrong fingerprint is refused without telling the file's real md5 (a hash
// of a file the sender may not be allowed to read)
foreach (['closure md5 wrong', 'cf code reference md5 wrong'] as $name) {
    try {
        Testing\dispatchPayload($cases[$name])->wait(30);
        echo "$name: ran\n";
    } catch (AsyncTask\TaskFailedException $e) {
        echo "$name: ", str_contains($e->getMessage(), 'changed since the task was dispatched') ? 'refused' : 'other',
            str_contains($e->getMessage(), md5_file(__FILE__)) ? ', tells the md5' : ', md5 not told', "\n";
    }
}
// the pool is whole and answers
var_dump(AsyncTask\dispatch('strtoupper', 'still here')->wait(30));
$stats = AsyncTask\Pool::stats();
var_dump($stats['dispatched'] === $stats['completed'] + $stats['failed']);
AsyncTask\Pool::stop(10);
@unlink($log);
unlink($big);

// a forged compact encoding with the string key "5" decodes as PHP builds arrays: int key 5
// (found by the fuzz campaign: it built an array PHP never does, ["5"] unreachable by $v[5])
var_dump(Testing\decodeValue("\xF5A\x01\x00\x00\x00s\x01\x00\x00\x005N") === [5 => null]);
?>
--EXPECT--
cached code reference bytes are encode()'s: true
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
compact: magic only: TaskFailedException
compact: unknown tag: TaskFailedException
compact: string longer than the payload: TaskFailedException
compact: array count past the payload: TaskFailedException
compact: array cut in an entry: TaskFailedException
compact: key of a wrong tag: TaskFailedException
compact: trailing bytes: TaskFailedException
compact: deeper than 16 arrays: TaskFailedException
compact: envelope of a wrong shape: TaskFailedException
compact: closure values cut: TaskFailedException
compact: closure values with a float for the arguments: TaskFailedException
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
closure as an envelope (the old form): the right value
cf magic only: TaskFailedException
cf truncated header: TaskFailedException
cf header only (code length 0, nothing after): TaskFailedException
cf code length past the end by one: TaskFailedException
cf code length 4294967295: TaskFailedException
cf code length 0 (code and values read as the values): TaskFailedException
cf code length one short: TaskFailedException
cf no values: TaskFailedException
cf truncated values: TaskFailedException
cf code reference not unserializable: TaskFailedException
cf code reference truncated: TaskFailedException
cf code reference with trailing garbage: TaskFailedException
cf code reference an int: TaskFailedException
cf code reference a string: TaskFailedException
cf code reference an object: TaskFailedException
cf code reference an empty array: TaskFailedException
cf code reference md5 wrong: TaskFailedException
cf code reference md5 not a string: TaskFailedException
cf code reference path wrong: TaskFailedException
cf code reference path empty: TaskFailedException
cf code reference path of another closure: TaskFailedException
cf code reference lines wrong: TaskFailedException
cf code reference num_args wrong: TaskFailedException
cf code reference root method without class: TaskFailedException
cf code reference file missing: TaskFailedException
cf code reference of a file that does not compile: TaskFailedException
cf values not an array: TaskFailedException
cf values empty: TaskFailedException
cf values without index 4 (args): TaskFailedException
cf args not an array: TaskFailedException
cf vars not an array: TaskFailedException
cf vars missing: TaskFailedException
cf unknown use variable: TaskFailedException
cf use variable with an int key: TaskFailedException
cf $this an int: TaskFailedException
cf $this of an undeclared class: TaskFailedException
cf scope an undefined class: TaskFailedException
cf scope an int: TaskFailedException
cf called scope an undefined class: TaskFailedException
cf bound closure, $this an incomplete class: TaskFailedException
cf bound closure, $this left out: TaskFailedException
closure bound, $this left out: TaskFailedException
# F8 closure declaring a class: TaskFailedException
# F8 closure declaring a class (envelope): TaskFailedException
# F8 closure declaring an anonymous class: TaskFailedException
# F9 closure declaring a named function, 3 times: TaskFailedException
# F10 closure capturing by reference, not sent: TaskFailedException or the right value
# F10 closure with a static variable, not sent: TaskFailedException or the right value
closure that is a generator (its result is refused, or it is): TaskFailedException or SerializationException
cf cached code reference, round 1, x=10 $log=A: the right value
cf cached code reference, round 1, x=20 $log=B: the right value
cf cached code reference, round 2, x=10 $log=A: the right value
cf cached code reference, round 2, x=20 $log=B: the right value
cf cached code reference, round 3, x=10 $log=A: the right value
cf cached code reference, round 3, x=20 $log=B: the right value
closure md5 wrong: refused, md5 not told
cf code reference md5 wrong: refused, md5 not told
string(10) "STILL HERE"
bool(true)
bool(true)
