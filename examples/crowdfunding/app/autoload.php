<?php
/*
 * The app's autoloader (what Composer's vendor/autoload.php would be):
 * Crowdfunding\Foo lives in src/Foo.php. Request scripts require it, and
 * php.ini names bootstrap.php (which requires it) as asynctask.bootstrap, so
 * task workers autoload the same classes.
 */
spl_autoload_register(static function (string $class): void {
    $prefix = 'Crowdfunding\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
