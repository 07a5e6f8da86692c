<?php
/*
 * The basics: closures, named callables, futures.
 *   php -d extension=modules/asynctask.so examples/basics.php
 */
declare(strict_types=1);

use AsyncTask\Future;
use function AsyncTask\dispatch;
use function AsyncTask\map;

// A closure with `use` variables: it runs in a worker, its value comes back.
$greeting = 'hello';
$future = dispatch(function (string $name) use ($greeting): string {
    return "$greeting $name from worker " . getmypid();
}, 'world');
echo $future->wait(), "\n";

// Named callables and first-class callables are sent by name.
echo dispatch('str_repeat', 'ab', 3)->wait(), "\n";   // ababab
echo dispatch(strtoupper(...), 'shout')->wait(), "\n"; // SHOUT

// Fan out, then collect: keys are kept.
$futures = [];
foreach (['a' => 1, 'b' => 2, 'c' => 3] as $key => $n) {
    $futures[$key] = dispatch(fn (int $n): int => $n * $n, $n);
}
print_r(Future::all($futures));             // [a => 1, b => 4, c => 9]

// The first to settle wins; the others stay valid to wait on.
$race = [
    'slow' => dispatch(function (): string { usleep(300_000); return 'slow'; }),
    'fast' => dispatch(fn (): string => 'fast'),
];
$first = Future::any($race);
echo "first: $first\n";
echo "then: ", $race[$first === 'fast' ? 'slow' : 'fast']->wait(), "\n";

// A parallel array_map: order and keys kept.
print_r(map(fn (string $s): int => strlen($s), ['x' => 'one', 'y' => 'three']));
