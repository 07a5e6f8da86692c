--TEST--
The runtime directory swapped for a symlink to another directory while the pool runs: the pool keeps using the directory it made (through its fd), never writes into or deletes from the symlink's target, and does not remove the symlink at the end
--EXTENSIONS--
asynctask
pcntl
--INI--
asynctask.workers=1
asynctask.log=/dev/null
asynctask.queue_size=256K
--FILE--
<?php
require __DIR__ . '/../../../helpers.inc';
use AsyncTask\Pool;

$dir = asynctask_test_dir('rundir_swapped');
ini_set('asynctask.tmpdir', $dir);
Pool::start();
$runtime = glob("$dir/asynctask-*")[0];

// what another process of ours (it could be another user's, in a tmpdir that allowed it)
// does: move the directory away and put a symlink to a victim in its place
mkdir("$dir/victim");
file_put_contents("$dir/victim/keep", 'keep');
rename($runtime, "$dir/moved");
symlink("$dir/victim", $runtime);

// spilled arguments and results, a new dispatcher's pipe (a fork), small tasks
$big = str_repeat('a', 200000);
var_dump(AsyncTask\dispatch('strlen', $big)->wait(10));
var_dump(strlen(AsyncTask\dispatch('str_repeat', 'r', 300000)->wait(10)));
$child = pcntl_fork();
if ($child === 0) {
    exit(AsyncTask\dispatch('strrev', 'child')->wait(10) === 'dlihc' ? 0 : 1);
}
pcntl_waitpid($child, $status);
var_dump(pcntl_wexitstatus($status));
var_dump(scandir("$dir/victim"));
Pool::stop();

// the victim is untouched, the symlink is not followed or removed; the directory the
// pool made is emptied (through its fd) though its name no longer leads to it
var_dump(scandir("$dir/victim"), is_link($runtime), scandir("$dir/moved"));
unlink($runtime);
?>
--EXPECT--
int(200000)
int(300000)
int(0)
array(3) {
  [0]=>
  string(1) "."
  [1]=>
  string(2) ".."
  [2]=>
  string(4) "keep"
}
array(3) {
  [0]=>
  string(1) "."
  [1]=>
  string(2) ".."
  [2]=>
  string(4) "keep"
}
bool(true)
array(2) {
  [0]=>
  string(1) "."
  [1]=>
  string(2) ".."
}
