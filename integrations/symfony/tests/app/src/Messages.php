<?php

declare(strict_types=1);

/* The test application's messages and their handlers (each handler writes the journal). */

namespace App;

use Symfony\Component\Messenger\Exception\UnrecoverableMessageHandlingException;
use Symfony\Component\Messenger\MessageBusInterface;

final class Ping
{
    public function __construct(public string $id, public ?string $thenId = null)
    {
    }
}

final class Flaky
{
    public function __construct(public string $id, public int $failures)
    {
    }
}

final class AlwaysFails
{
    public function __construct(public string $id)
    {
    }
}

final class Unrecoverable
{
    public function __construct(public string $id)
    {
    }
}

final class MailPing
{
    public function __construct(public string $id)
    {
    }
}

final class Slow
{
    public function __construct(public string $id, public float $seconds)
    {
    }
}

final class PingHandler
{
    public function __construct(private MessageBusInterface $bus)
    {
    }

    public function __invoke(Ping $ping): void
    {
        Journal::write(['kind' => 'ping', 'id' => $ping->id] + Journal::where());
        if (null !== $ping->thenId) {
            $this->bus->dispatch(new Ping($ping->thenId));
        }
    }
}

final class FlakyHandler
{
    public function __invoke(Flaky $flaky): void
    {
        $call = Journal::count('flaky-'.$flaky->id) + 1;
        Journal::write(['kind' => 'flaky', 'id' => $flaky->id, 'call' => $call] + Journal::where());
        if ($call <= $flaky->failures) {
            throw new \RuntimeException("flaky {$flaky->id} fails call $call");
        }
        Journal::write(['kind' => 'flaky-done', 'id' => $flaky->id, 'call' => $call]);
    }
}

final class AlwaysFailsHandler
{
    public function __invoke(AlwaysFails $m): void
    {
        Journal::write(['kind' => 'always', 'id' => $m->id] + Journal::where());
        throw new \RuntimeException("always fails: {$m->id}");
    }
}

final class UnrecoverableHandler
{
    public function __invoke(Unrecoverable $m): void
    {
        Journal::write(['kind' => 'unrecoverable', 'id' => $m->id] + Journal::where());
        throw new UnrecoverableMessageHandlingException("cannot ever handle {$m->id}");
    }
}

final class MailPingHandler
{
    public function __invoke(MailPing $m): void
    {
        Journal::write(['kind' => 'mail', 'id' => $m->id, 'queue' => \AsyncTask\context()?->queue()] + Journal::where());
    }
}

final class SlowHandler
{
    public function __invoke(Slow $m): void
    {
        Journal::write(['kind' => 'slow-start', 'id' => $m->id] + Journal::where());
        usleep((int) ($m->seconds * 1e6));
        Journal::write(['kind' => 'slow-done', 'id' => $m->id]);
    }
}
