<?php

declare(strict_types=1);

namespace AsyncTask\Revolt;

use AsyncTask\Future;
use Revolt\EventLoop;
use Revolt\EventLoop\Suspension;

/**
 * This process's Futures awaited on Revolt's loop: one readable watcher on
 * AsyncTask\events() for all of them. When the stream is readable, every
 * awaited Future is asked isDone() (which collects what came and re-arms
 * the stream) and those that settled resume their Fibers. Both watchers are
 * enabled only while a Fiber waits, so an idle loop is free to end.
 *
 * A check every LIVENESS_INTERVAL seconds while Fibers wait (never more
 * often) notices what the stream cannot tell: a pool that went away (its
 * Futures then settle as failed when asked), as Future::wait() does.
 */
final class Awaiter
{
    public const LIVENESS_INTERVAL = 0.25;

    private static ?self $instance = null;

    /** @var array<int, array{Future, Suspension}> */
    private array $waiting = [];
    private int $next = 0;
    private readonly string $readable;
    private readonly string $liveness;
    private int $wakes = 0;

    /** @param resource $events */
    private function __construct(private readonly int $pid, private $events)
    {
        $this->readable = EventLoop::onReadable($events, fn () => $this->settle(true));
        $this->liveness = EventLoop::repeat(self::LIVENESS_INTERVAL, fn () => $this->settle(false));
        EventLoop::disable($this->readable);
        EventLoop::disable($this->liveness);
    }

    /** The awaiter of this process (a forked child makes its own, on its own event stream). */
    public static function instance(): self
    {
        $pid = getmypid();
        if (self::$instance === null || self::$instance->pid !== $pid) {
            self::$instance?->abandon();
            self::$instance = new self($pid, \AsyncTask\events());
        }
        return self::$instance;
    }

    public function await(Future $future): mixed
    {
        if ($future->isDone()) {
            return $future->wait(0);
        }
        $key = $this->next++;
        $this->waiting[$key] = [$future, EventLoop::getSuspension()];
        if (\count($this->waiting) === 1) {
            EventLoop::enable($this->readable);
            EventLoop::enable($this->liveness);
        }
        try {
            return $this->waiting[$key][1]->suspend();
        } finally {
            $this->forget($key);
        }
    }

    /** How many times the event stream woke the loop (for tests and metrics). */
    public function wakes(): int
    {
        return $this->wakes;
    }

    /** How many Fibers wait now. */
    public function waiting(): int
    {
        return \count($this->waiting);
    }

    private function settle(bool $woken): void
    {
        if ($woken) {
            $this->wakes++;
        }
        // isDone() collects every result that came, so one asked late in a pass can bring the result of
        // a Future asked earlier in it, and the stream is not readable again for that one: ask them all
        // again until a pass finds none newly done
        do {
            $settled = false;
            foreach ($this->waiting as $key => [$future, $suspension]) {
                if (!$future->isDone()) {
                    continue;
                }
                $settled = true;
                $this->forget($key);
                try {
                    $value = $future->wait(0);
                } catch (\Throwable $e) {
                    $suspension->throw($e);
                    continue;
                }
                $suspension->resume($value);
            }
        } while ($settled && $this->waiting);
    }

    private function forget(int $key): void
    {
        if (!isset($this->waiting[$key])) {
            return;
        }
        unset($this->waiting[$key]);
        if ($this->waiting === []) {
            EventLoop::disable($this->readable);
            EventLoop::disable($this->liveness);
        }
    }

    /** After a fork: the parent's watchers and stream are not the child's. */
    private function abandon(): void
    {
        EventLoop::cancel($this->readable);
        EventLoop::cancel($this->liveness);
        $this->waiting = [];
        if (\is_resource($this->events)) {
            fclose($this->events);
        }
    }
}
