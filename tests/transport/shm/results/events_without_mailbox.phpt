--TEST--
AsyncTask\events() in a process without a mailbox (all 64 taken): its results come through its FIFO, which makes the stream readable by itself; every result arrives, no wake-up while nothing settles
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=2
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
$dir = asynctask_test_dir('events_without_mailbox');
AsyncTask\Pool::start();  // the parent holds a mailbox

function readable($stream, float $seconds): bool
{
    $r = [$stream];
    $w = $e = null;
    return stream_select($r, $w, $e, (int) $seconds, (int) (fmod($seconds, 1) * 1e6)) === 1;
}

// 63 children take the other mailboxes and keep them until released
$holders = [];
for ($c = 0; $c < 63; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        AsyncTask\dispatch('abs', -1)->wait(30);
        touch("$dir/holding-$c");
        while (!file_exists("$dir/release")) {
            usleep(5000);
        }
        exit(0);
    }
    $holders[] = $pid;
}
while (count(glob("$dir/holding-*")) < 63) {
    usleep(5000);
}
var_dump(AsyncTask\Pool::stats()['mailboxes_used']);

$pid = pcntl_fork();
if ($pid === 0) {
    $events = AsyncTask\events();
    $report = ['mailboxes_used' => AsyncTask\Pool::stats()['mailboxes_used']];
    $report['idle'] = readable($events, 0.2);
    $futures = [];
    for ($i = 0; $i < 50; $i++) {
        $futures[$i] = AsyncTask\dispatch(static fn (int $i): string => str_repeat('v', $i * 100), $i);
    }
    $values = [];
    while (count($values) < 50 && readable($events, 30)) {
        // isDone() collects every result that came: ask until a pass finds none newly done
        do {
            $settled = false;
            foreach ($futures as $i => $f) {
                if (!isset($values[$i]) && $f->isDone()) {
                    $values[$i] = $f->wait(0);
                    $settled = true;
                }
            }
        } while ($settled && count($values) < 50);
    }
    ksort($values);
    $report['right'] = $values === array_map(static fn (int $i): string => str_repeat('v', $i * 100), range(0, 49));
    $report['drained'] = readable($events, 0.1);
    file_put_contents("$dir/report", json_encode($report));
    exit(0);
}
pcntl_waitpid($pid, $status);
var_dump(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
echo file_get_contents("$dir/report"), "\n";
touch("$dir/release");
foreach ($holders as $holder) {
    pcntl_waitpid($holder, $status);
}
?>
--EXPECT--
int(64)
bool(true)
{"mailboxes_used":64,"idle":false,"right":true,"drained":false}
