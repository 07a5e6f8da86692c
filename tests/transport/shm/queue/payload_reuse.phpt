--TEST--
A worker copies each large payload into the string it kept from the last one when it fits (shm.c): arguments of changing sizes (growing, shrinking, in the ring or spilled to a file, with a small one between) all arrive intact, one worker taking them in turn
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.queue_size=16M
memory_limit=512M
--FILE--
<?php
AsyncTask\Pool::start();
$digest = static fn (string $s): string => strlen($s) . ':' . md5($s);

$sizes = [70000, 2 << 20, 100000, 65536, 3 << 20, 10, 5 << 20, 1 << 20, 2 << 20, 64 << 10, 4000000];
$ok = 0;
foreach ($sizes as $i => $n) {
    $arg = str_repeat(chr(97 + $i), $n - 1) . '!';  // a tail a stale longer copy would not have
    $ok += AsyncTask\dispatch($digest, $arg)->wait(20) === $digest($arg);
}
echo "one at a time: $ok of ", count($sizes), "\n";

// several queued at once: each is taken while the previous one's string is still in use or not
$futures = [];
$args = [];
foreach ([300000, 200000, 900000, 150000, 1 << 20] as $i => $n) {
    $args[$i] = random_bytes($n);
    $futures[$i] = AsyncTask\dispatch($digest, $args[$i]);
}
$ok = 0;
foreach ($futures as $i => $f) {
    $ok += $f->wait(20) === $digest($args[$i]);
}
echo "queued: $ok of ", count($futures), "\n";
printf("failed %d\n", AsyncTask\Pool::stats()['failed']);
?>
--EXPECT--
one at a time: 11 of 11
queued: 5 of 5
failed 0
