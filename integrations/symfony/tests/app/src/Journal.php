<?php

declare(strict_types=1);

/*
 * What the handlers did, one JSON object a line in $SF_TEST_DIR/journal.log, appended under an
 * exclusive lock by whichever process (test script or pool worker) writes.
 */

namespace App;

use AsyncTask\Symfony\Messenger\Worker\WorkerKernel;

final class Journal
{
    public static function dir(): string
    {
        $dir = getenv('SF_TEST_DIR');
        if (!\is_string($dir) || '' === $dir) {
            throw new \LogicException('SF_TEST_DIR is not set');
        }

        return $dir;
    }

    public static function write(array $entry): void
    {
        $entry += ['pid' => getmypid(), 't' => microtime(true)];
        file_put_contents(self::dir().'/journal.log', json_encode($entry, \JSON_THROW_ON_ERROR)."\n", \FILE_APPEND | \LOCK_EX);
    }

    /** @return list<array<string, mixed>> */
    public static function read(): array
    {
        $file = self::dir().'/journal.log';
        if (!is_file($file)) {
            return [];
        }
        $lines = array_filter(explode("\n", (string) file_get_contents($file)));

        return array_values(array_map(static fn (string $l) => json_decode($l, true, 512, \JSON_THROW_ON_ERROR), $lines));
    }

    /**
     * Where a handler runs: inside a pool task or not, which task (its id), which run of it, on
     * which node (asynctask.node), and how many kernels its process booted.
     */
    public static function where(): array
    {
        $context = \AsyncTask\context();

        return ['in_task' => null !== $context, 'task' => null === $context ? null : (string) $context->id(), 'attempt' => $context?->attempt(),
            'node' => $context?->node(), 'boots' => WorkerKernel::boots()];
    }

    /** How many times $key was counted before, then counts it once more. */
    public static function count(string $key): int
    {
        $file = self::dir().'/count-'.$key;
        $fp = fopen($file, 'c+');
        flock($fp, \LOCK_EX);
        $n = (int) stream_get_contents($fp);
        ftruncate($fp, 0);
        rewind($fp);
        fwrite($fp, (string) ($n + 1));
        fclose($fp);

        return $n;
    }
}
