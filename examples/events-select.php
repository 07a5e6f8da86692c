<?php
/*
 * AsyncTask\events() without a framework: a stream_select() loop that serves
 * a timer every 100 ms while ten tasks run, and collects each result as it
 * settles. Never blocks in Future::wait(), never polls: the process sleeps
 * in stream_select() until a result may have come or the timer is due.
 *
 *   php -d extension=modules/asynctask.so examples/events-select.php
 */
$events = AsyncTask\events();

$futures = [];
for ($i = 1; $i <= 10; $i++) {
    $futures[$i] = AsyncTask\dispatch(static function (int $i): string {
        usleep(random_int(50, 500) * 1000);
        return "task $i done in pid " . getmypid();
    }, $i);
}

$nextTick = microtime(true) + 0.1;
while ($futures) {
    $read = [$events];
    $write = $except = null;
    $wait = max(0.0, $nextTick - microtime(true));
    stream_select($read, $write, $except, 0, (int) ($wait * 1e6));

    if (microtime(true) >= $nextTick) {
        printf("tick (%d tasks pending)\n", count($futures));
        $nextTick += 0.1;
    }
    if ($read) {
        // readable: some Future may have settled; asking them collects and re-arms the stream
        foreach ($futures as $i => $future) {
            if ($future->isDone()) {
                echo $future->wait(0), "\n";
                unset($futures[$i]);
            }
        }
    }
}
