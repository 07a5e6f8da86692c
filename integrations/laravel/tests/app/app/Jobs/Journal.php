<?php

declare(strict_types=1);

/*
 * The test application's journal: one JSON line per event (a job run, a boot, a failed() call)
 * appended to $LV_TEST_DIR/journal.jsonl by any process, read by the tests.
 */

namespace App\Jobs;

final class Journal
{
    public static function dir(): string
    {
        return (string) getenv('LV_TEST_DIR');
    }

    public static function write(array $entry): void
    {
        $context = \extension_loaded('asynctask') ? \AsyncTask\context() : null;
        $entry += ['pid' => getmypid(), 't' => microtime(true), 'in_task' => null !== $context,
            'attempt' => $context?->attempt(), 'queue' => $context?->queue(), 'task' => $context?->id(), 'node' => $context?->node(),
            'boots' => class_exists(\AsyncTask\Laravel\Worker\WorkerApplication::class, false) ? \AsyncTask\Laravel\Worker\WorkerApplication::boots() : 0];
        file_put_contents(self::dir().'/journal.jsonl', json_encode($entry)."\n", FILE_APPEND | LOCK_EX);
    }

    /** @return list<array<string, mixed>> */
    public static function read(): array
    {
        $lines = @file(self::dir().'/journal.jsonl', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];

        return array_map(static fn (string $l) => json_decode($l, true), $lines);
    }
}
