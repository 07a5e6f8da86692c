<?php
/*
 * Chains: each link runs in the pool with the previous link's value as its
 * first argument, also when nobody waits; the first failure stops the chain
 * and says which link failed; a link's retries are its own.
 *   php -d extension=modules/asynctask.so examples/jobs/chains.php
 */
declare(strict_types=1);

use AsyncTask\Task;

$words = (new Task(fn (string $text): array => str_word_count($text, 1), 'the quick brown fox jumps over the lazy dog'))
    ->then(fn (array $words): array => array_count_values(array_map('strtolower', $words)))
    ->then(new Task(function (array $counts, int $top): array {
        arsort($counts);
        return array_slice($counts, 0, $top, true);
    }, 2))
    ->dispatch();
print_r($words->wait());

// a flaky middle link with its own retries
$flaky = (new Task(function (int $n): int {
    if (AsyncTask\context()->attempt() < 2) {
        throw new RuntimeException('flaky');
    }
    return $n * 2;
}))->withRetries(2, 0.05);
echo (new Task(fn (): int => 21))->then($flaky)->then(fn (int $n): string => "answer: $n")->dispatch()->wait(), "\n";

// the first failure stops the chain
try {
    (new Task(fn (): int => 1))
        ->then(function (int $n): never { throw new DomainException("cannot use $n"); })
        ->then(fn () => 'never runs')
        ->dispatch()->wait();
} catch (AsyncTask\TaskFailedException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
