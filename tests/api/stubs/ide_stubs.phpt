--TEST--
stubs/asynctask.php (the IDE stubs shipped in the package) passes php -l and declares exactly what the extension registers: every class, method, property, constant and function, with the same types, defaults and modifiers
--EXTENSIONS--
asynctask
--FILE--
<?php
require __DIR__ . '/signatures.inc';
$stub = __DIR__ . '/../../../stubs/asynctask.php';

function run(array $command): array
{
    $p = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    return [proc_close($p), $out, $err];
}

[$rc, $out, $err] = run([PHP_BINARY, '-n', '-l', $stub]);
echo $rc === 0 ? "php -l: ok\n" : "php -l failed ($rc): $out$err\n";

/* what this build registers; AsyncTask\Testing is for test builds only */
$ext = new ReflectionExtension('asynctask');
$public = fn (string $name) => stripos($name, 'AsyncTask\\Testing\\') !== 0;
$classes = array_values(array_filter(array_keys($ext->getClasses()), $public));
$functions = array_values(array_filter(array_keys($ext->getFunctions()), $public));

/* the stub file alone, in a php without the extension */
$code = <<<'PHP'
    [, $stub, $inc, $names] = $argv;
    $names = json_decode($names, true);
    $classesBefore = array_merge(get_declared_classes(), get_declared_interfaces());
    $functionsBefore = get_defined_functions()['user'];
    require $stub;
    $declared = [
        'classes' => array_values(array_diff(array_merge(get_declared_classes(), get_declared_interfaces()), $classesBefore)),
        'functions' => array_values(array_diff(get_defined_functions()['user'], $functionsBefore)),
    ];
    require $inc;
    echo json_encode(['declared' => $declared] + asynctask_stub_signatures($names['classes'], $names['functions']));
    PHP;
[$rc, $out, $err] = run([PHP_BINARY, '-n', '-r', $code, $stub, __DIR__ . '/signatures.inc',
    json_encode(['classes' => $classes, 'functions' => $functions])]);
$fromStub = json_decode($out, true);
if ($rc !== 0 || !is_array($fromStub)) {
    echo "loading the stub file failed ($rc): $out$err\n";
    exit;
}

/* nothing more, nothing less */
$lower = function (array $names): array {
    $names = array_map('strtolower', $names);
    sort($names);
    return $names;
};
echo 'the same classes: ', var_export($lower($fromStub['declared']['classes']) === $lower($classes), true), "\n";
echo 'the same functions: ', var_export($lower($fromStub['declared']['functions']) === $lower($functions), true), "\n";

/* the same declarations; a difference is shown where it is, e.g. methods.wait.params.0.default */
function differences(mixed $a, mixed $b, string $path): array
{
    if (!is_array($a) || !is_array($b)) {
        return $a === $b ? [] : ["$path: extension " . json_encode($a) . ', stub ' . json_encode($b)];
    }
    $found = [];
    foreach (array_unique(array_merge(array_keys($a), array_keys($b))) as $k) {
        $found = array_merge($found, differences($a[$k] ?? null, $b[$k] ?? null, "$path.$k"));
    }
    return $found;
}
$fromExtension = json_decode(json_encode(asynctask_stub_signatures($classes, $functions)), true);
$differ = 0;
foreach (['classes', 'functions'] as $kind) {
    foreach ($fromExtension[$kind] as $name => $sig) {
        if ($found = differences($sig, $fromStub[$kind][$name] ?? null, $name)) {
            $differ++;
            echo implode("\n", $found), "\n";
        }
    }
}
$methods = array_sum(array_map(fn ($c) => count($c['methods']), $fromExtension['classes']));
printf("%d classes (%d methods) and %d functions compared, %d differ\n",
    count($classes), $methods, count($functions), $differ);
var_dump(count($classes) >= 12 && count($functions) >= 3 && $methods >= 30);
?>
--EXPECTF--
php -l: ok
the same classes: true
the same functions: true
%d classes (%d methods) and %d functions compared, 0 differ
bool(true)
