--TEST--
asynctask.queues: a valid list is taken (spaces allowed, a name without a count gets asynctask.workers); a bad name, a count that is not 1 to 1024, a name given twice, a trailing comma, more than 64 queues or more than 1024 workers are refused with a warning naming the setting and what is wrong, and the previous value stays; more than 1024 workers in all once the counts are filled in is refused when the pool starts
--EXTENSIONS--
asynctask
--INI--
asynctask.workers=1
asynctask.log=/dev/null
--FILE--
<?php
use AsyncTask\Pool;

foreach (['default', ' default : 2 , mail:1,reports', 'a.b-c_D9:1024', ''] as $value) {
    var_dump(ini_set('asynctask.queues', $value) !== false, ini_get('asynctask.queues'));
}
ini_set('asynctask.queues', 'default:2');
$bad = ['mail:0', 'mail:1025', 'mail:-1', 'mail:x', 'mail:', ':2', 'ma il:1', 'mail/x', str_repeat('q', 65),
    'mail,mail:2', 'default:1,', 'a,,b', 'a:1000,b:25',
    implode(',', array_map(fn ($i) => "q$i:1", range(1, 65)))];
foreach ($bad as $value) {
    $result = @ini_set('asynctask.queues', $value);
    $message = error_get_last()['message'] ?? '';
    error_clear_last();
    // what follows the value (the long ones are not repeated)
    echo var_export($result, true), ' ', ini_get('asynctask.queues'), ' | ', strlen($value) > 60 ? substr($value, 0, 20) . '...' : $value,
        ' | ', substr($message, strpos($message, '" for asynctask.queues: ') + 24), "\n";
}

// names without a count: asynctask.workers (or Pool::start()'s argument) each
ini_set('asynctask.queues', 'default,mail:1');
Pool::start();
$s = Pool::stats();
var_dump($s['workers'], array_map(fn ($q) => $q['workers'], $s['queues']));
Pool::stop();
Pool::start(3);
var_dump(array_map(fn ($q) => $q['workers'], Pool::stats()['queues']));
try {
    Pool::start(2);   // running with 4 workers in all: another count is refused
} catch (AsyncTask\Exception $e) {
    echo $e->getMessage(), "\n";
}
Pool::stop();

// more than 1024 in all once filled in
ini_set('asynctask.queues', 'default,mail');
ini_set('asynctask.workers', '600');
try {
    Pool::start();
} catch (AsyncTask\Exception $e) {
    echo $e->getMessage(), "\n";
}
var_dump(Pool::stats()['manager_pid']);
?>
--EXPECT--
bool(true)
string(7) "default"
bool(true)
string(29) " default : 2 , mail:1,reports"
bool(true)
string(13) "a.b-c_D9:1024"
bool(true)
string(0) ""
false default:2 | mail:0 | a queue's workers are a whole number from 1 to 1024, not "0" (in "mail:0"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | mail:1025 | a queue's workers are a whole number from 1 to 1024, not "1025" (in "mail:1025"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | mail:-1 | a queue's workers are a whole number from 1 to 1024, not "-1" (in "mail:-1"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | mail:x | a queue's workers are a whole number from 1 to 1024, not "x" (in "mail:x"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | mail: | a queue's workers are a whole number from 1 to 1024, not "" (in "mail:"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | :2 | a queue's name is 1 to 64 letters, digits, "_", "-" or ".", not "" (in ":2"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | ma il:1 | a queue's name is 1 to 64 letters, digits, "_", "-" or ".", not "ma il" (in "ma il:1"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | mail/x | a queue's name is 1 to 64 letters, digits, "_", "-" or ".", not "mail/x" (in "mail/x"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | qqqqqqqqqqqqqqqqqqqq... | a queue's name is 1 to 64 letters, digits, "_", "-" or ".", not "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" (in "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | mail,mail:2 | the queue "mail" is named twice; expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | default:1, | a comma ends the list: remove it, or name a queue after it; expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | a,,b | a queue's name is 1 to 64 letters, digits, "_", "-" or ".", not "" (in ""); expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | a:1000,b:25 | at most 1024 workers in all; expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
false default:2 | q1:1,q2:1,q3:1,q4:1,... | at most 64 queues; expected "" (one queue, "default") or a comma-separated list of name[:workers], e.g. "default:2,mail:1"; the previous or default value stays in force
int(2)
array(2) {
  ["default"]=>
  int(1)
  ["mail"]=>
  int(1)
}
array(2) {
  ["default"]=>
  int(3)
  ["mail"]=>
  int(1)
}
the pool already runs with 4 workers; call AsyncTask\Pool::stop() before starting it with 3 (in all, asynctask.queues "default,mail:1")
the pool's queues (asynctask.queues "default,mail") would have 1200 workers in all, more than 1024: give each queue its count (name:workers), or lower asynctask.workers
int(0)
