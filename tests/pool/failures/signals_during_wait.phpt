--TEST--
pcntl async signal handlers run during Future::wait(), Future::all(), Future::any() and a dispatch() waiting for room in a full queue, not after them; an exception thrown by the handler comes out of the call, and the Futures stay valid
--EXTENSIONS--
asynctask
pcntl
posix
--INI--
asynctask.workers=1
asynctask.log=/dev/null
asynctask.queue_size=64K
asynctask.dispatch_timeout=30
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
use AsyncTask\Future;

$dir = asynctask_test_dir('signals_during_wait');
pcntl_async_signals(true);
$me = getmypid();

/** The asynctask call the handler interrupted, read off its stack. */
function interrupted(): string
{
    foreach (debug_backtrace() as $frame) {
        if (($frame['class'] ?? '') === Future::class) {
            return "Future::{$frame['function']}()";
        }
        if ($frame['function'] === 'AsyncTask\dispatch') {
            return 'dispatch()';
        }
    }
    return 'nothing: it ran after the call';
}

// signals this process once it sleeps (in the call under test: nothing else blocks), then waits
// (5 s at most) for the handler to open its gate
$signals = function (int $caller, string $gate) {
    $deadline = hrtime(true) + 5e9;
    while (!str_contains((string) @file_get_contents("/proc/$caller/stat"), ') S ') && hrtime(true) < $deadline) {
        usleep(100);
    }
    posix_kill($caller, SIGUSR1);
    return asynctask_test_wait_for($gate, 5) ? 'gate opened' : 'gate stayed shut';
};
$waits = [
    'wait' => fn (Future $f) => $f->wait(),
    'all' => fn (Future $f) => Future::all(['k' => $f])['k'],
    'any' => fn (Future $f) => Future::any(['k' => $f]),
];

echo "-- a handler that opens the gate\n";
foreach ($waits as $name => $wait) {
    $gate = "$dir/gate-$name";
    pcntl_signal(SIGUSR1, function () use ($gate) {
        echo "handler ran in ", interrupted(), "\n";
        asynctask_test_open($gate);
    });
    $f = AsyncTask\dispatch($signals, $me, $gate);
    $wait($f);
    echo $f->wait(), "\n";
}

echo "-- a handler that throws\n";
pcntl_signal(SIGUSR1, function () {
    throw new RuntimeException('thrown by the handler in ' . interrupted());
});
foreach ($waits as $name => $wait) {
    $gate = "$dir/gate-throw-$name";
    $f = AsyncTask\dispatch($signals, $me, $gate);
    try {
        $wait($f);
        echo "no exception\n";
    } catch (RuntimeException $e) {
        echo $e->getMessage(), "\n";
    }
    asynctask_test_open($gate);
    echo "waited again: ", $f->wait(), "\n";
}

echo "-- dispatch() waiting for room\n";
// the worker held at a gate, the queue filled until dispatch() waits; SIGALRM comes then
foreach (['opens the gate', 'throws'] as $round => $what) {
    $gate = "$dir/gate-queue-$round";
    $held = AsyncTask\dispatch(fn (string $gate) => asynctask_test_wait_for($gate, 20), $gate);
    $interrupted = false;
    pcntl_signal(SIGALRM, function () use ($gate, $what, &$interrupted) {
        $interrupted = true;
        echo "handler ran in ", interrupted(), "\n";
        asynctask_test_open($gate);
        if ($what === 'throws') {
            throw new RuntimeException('thrown by the handler');
        }
    });
    $futures = [];
    pcntl_alarm(1);
    try {
        while (!$interrupted) {
            $futures[] = AsyncTask\dispatch('strlen', str_repeat('x', 4000));
        }
        echo "dispatch() returned after the handler\n";
    } catch (RuntimeException $e) {
        echo "dispatch() threw: ", $e->getMessage(), "\n";
    }
    var_dump($held->wait(), array_sum(Future::all($futures)) === 4000 * count($futures));
}
$s = AsyncTask\Pool::stats();
var_dump($s['dispatched'] === $s['completed'] && $s['failed'] === 0);
?>
--EXPECT--
-- a handler that opens the gate
handler ran in Future::wait()
gate opened
handler ran in Future::all()
gate opened
handler ran in Future::any()
gate opened
-- a handler that throws
thrown by the handler in Future::wait()
waited again: gate opened
thrown by the handler in Future::all()
waited again: gate opened
thrown by the handler in Future::any()
waited again: gate opened
-- dispatch() waiting for room
handler ran in dispatch()
dispatch() returned after the handler
bool(true)
bool(true)
handler ran in dispatch()
dispatch() threw: thrown by the handler
bool(true)
bool(true)
bool(true)
