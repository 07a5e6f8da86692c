<?php
/*
 * The stress run of .ci/stress: producers x tasks with random payloads while
 * a killer SIGKILLs a random worker every kill_ms (see stress.inc).
 *
 *   php -n -d extension=asynctask.so tests/integration/stress/stress.php [--producers=8] [--tasks=5000]
 *       [--kill-ms=200] [--workers=0] [--seed=N] [--max-size=262144] [--deadline=75] [--queue-size=512K]
 *
 * Prints one line per check and PASS or FAIL; exits 1 on failure.
 */
require __DIR__ . '/stress.inc';

foreach (['pcntl', 'posix'] as $ext) {
    if (!extension_loaded($ext)) {
        fwrite(STDERR, "stress.php needs the $ext extension\n");
        exit(2);
    }
}
$options = [];
foreach (array_slice($argv, 1) as $arg) {
    if (!preg_match('/^--([a-z-]+)=(.+)$/', $arg, $m)) {
        fwrite(STDERR, "usage: stress.php [--name=value ...] (bad argument: $arg)\n");
        exit(2);
    }
    $key = str_replace('-', '_', $m[1]);
    if (!array_key_exists($key, ASYNCTASK_STRESS_DEFAULTS)) {
        fwrite(STDERR, "stress.php: unknown option --{$m[1]}\n");
        exit(2);
    }
    $options[$key] = is_numeric($m[2]) ? $m[2] + 0 : $m[2];
}

$result = asynctask_stress_run($options);
foreach ($result['info'] as $line) {
    echo "# $line\n";
}
foreach ($result['checks'] as $name => [$ok, $detail]) {
    printf("%s %s%s\n", $ok ? 'ok  ' : 'FAIL', $name, $detail !== '' ? " -- $detail" : '');
}
printf("%s (seed %d, %.1f s)\n", $result['ok'] ? 'PASS' : 'FAIL', $result['seed'], $result['seconds']);
exit($result['ok'] ? 0 : 1);
