<?php
/*
 * A Task subclass: the object travels to the worker (serialized), and its
 * handle() runs there. The class must exist in the worker: declare it before
 * the pool starts (here: before the first dispatch) or make it autoloadable.
 *   php -d extension=modules/asynctask.so examples/task-class.php
 */
declare(strict_types=1);

use AsyncTask\Task;

final class ResizeReport extends Task
{
    public function __construct(private string $path, private int $width)
    {
        // no parent::__construct(): handle() is the work
    }

    public function handle(): array
    {
        $bytes = strlen($this->path) * $this->width;   // stand-in for real work
        return ['path' => $this->path, 'width' => $this->width, 'bytes' => $bytes, 'pid' => getmypid()];
    }
}

$futures = [];
foreach (['a.jpg', 'b.jpg', 'c.jpg'] as $path) {
    $futures[$path] = (new ResizeReport($path, 640))->withTimeout(10)->dispatch();
}
foreach (AsyncTask\Future::all($futures) as $path => $report) {
    printf("%s: %d bytes (worker %d)\n", $path, $report['bytes'], $report['pid']);
}
