--TEST--
Results over 4 KB through the mailbox's bulk ring: a compact value is decoded where it lies in shared memory (one that would wrap around the ring's end starts at its beginning instead), anything else is copied out first; every value arrives whole, in order or not, waited for or forgotten, whatever its place in the ring
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
asynctask.queue_size=32M
memory_limit=512M
--FILE--
<?php
final class Box
{
    public function __construct(public string $payload) {}
}

AsyncTask\Pool::start();

// 1.3 MB strings one at a time: the fourth would cross the 4 MB ring's end
$s = random_bytes(1300000);
$ok = 0;
for ($i = 0; $i < 12; $i++) {
    $ok += AsyncTask\dispatch(static fn (string $s, int $i): string => $s . $i, $s, $i)->wait(20) === $s . $i;
}
echo "strings: $ok of 12\n";

// sizes that leave odd amounts at the ring's end, several in flight, waited in reverse
$futures = [];
foreach ([5000, 700000, 1048576, 3000000, 4100, 2500000, 999999, 1048577] as $n) {
    $futures[$n] = AsyncTask\dispatch(static fn (int $n): string => str_repeat(chr(65 + $n % 26), $n), $n);
}
$ok = 0;
foreach (array_reverse($futures, true) as $n => $f) {
    $ok += $f->wait(20) === str_repeat(chr(65 + $n % 26), $n);
}
echo "sizes: $ok of ", count($futures), "\n";

// arrays of large strings and scalars (compact), an object (serialized: copied, decoded when waited)
$array = AsyncTask\dispatch(static fn (): array => ['a' => str_repeat('a', 600000), 7 => [1.5, true, null,
    str_repeat('b', 300000)], 'n' => -3])->wait(20);
var_dump($array === ['a' => str_repeat('a', 600000), 7 => [1.5, true, null, str_repeat('b', 300000)], 'n' => -3]);
$box = AsyncTask\dispatch(static fn (): Box => new Box(str_repeat('c', 900000)))->wait(20);
var_dump($box instanceof Box && $box->payload === str_repeat('c', 900000));

// results nobody waits for any more, between ones that are waited for
$kept = [];
for ($i = 0; $i < 10; $i++) {
    $f = AsyncTask\dispatch(static fn (int $i): string => str_repeat((string) $i, 800000), $i);
    if ($i % 2) {
        $kept[$i] = $f;
    }
    unset($f);
}
$ok = 0;
foreach ($kept as $i => $f) {
    $ok += $f->wait(20) === str_repeat((string) $i, 800000);
}
echo "kept: $ok of 5\n";

// the same value twice from one Future, and a value over the bulk ring (a file)
$f = AsyncTask\dispatch(static fn (): string => str_repeat('d', 100000));
var_dump($f->wait(20) === $f->wait(20));
var_dump(strlen(AsyncTask\dispatch(static fn (): string => str_repeat('e', 5 << 20))->wait(20)));

printf("failed %d\n", AsyncTask\Pool::stats()['failed']);
?>
--EXPECT--
strings: 12 of 12
sizes: 8 of 8
bool(true)
bool(true)
kept: 5 of 5
bool(true)
int(5242880)
failed 0
