--TEST--
Futures still alive when the script ends (in global variables, freed after the extension's request shutdown): one whose result already arrived while another was awaited, one still running, one never awaited; the script ends cleanly (no read of the freed result tables: valgrind and ASan check it)
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=2
--FILE--
<?php
// its result arrives (and is kept for it) while $slow is awaited
$fast = AsyncTask\dispatch(fn () => 'fast');
$slow = AsyncTask\dispatch(function () {
    usleep(200000);
    return 'slow';
});
echo $slow->wait(10), "\n";
// still running at exit (the drain at exit waits for it; nobody asks for its result)
$running = AsyncTask\dispatch(function () {
    usleep(100000);
    return 'late';
});
$list = [AsyncTask\dispatch('strrev', 'abc'), AsyncTask\dispatch('strrev', 'def')];
$list[0]->wait(10);
echo "end\n";
?>
--EXPECT--
slow
end
