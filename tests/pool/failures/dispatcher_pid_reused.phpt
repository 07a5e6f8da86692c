--TEST--
A dispatcher killed with a result in its mailbox, and its pid given to the next process: that process gets its own results (the dead one's mailbox is freed, its result counted dropped)
--EXTENSIONS--
asynctask
posix
--SKIPIF--
<?php
if (posix_geteuid() !== 0) die('skip needs root (a pid namespace: unshare -pf)');
// LeakSanitizer cannot run in a new pid namespace (.ci/asan preloads it into every child)
if (str_contains((string) getenv('LD_PRELOAD'), 'asan') || getenv('ASAN_OPTIONS') !== false) {
    die('skip not under AddressSanitizer: LeakSanitizer does not work in a new pid namespace');
}
exec('unshare -pf --mount-proc true 2>&1', $out, $rc);
if ($rc !== 0) die('skip unshare -pf --mount-proc does not work here');
?>
--FILE--
<?php
require __DIR__ . '/../../helpers.inc';
echo shell_exec('unshare -pf --mount-proc ' . asynctask_test_command(__DIR__ . '/fixtures/pid_reused.php'));
?>
--EXPECT--
B has the pid A had: yes
B: mine
completed 3, dropped_results 1, mailboxes_used 1
