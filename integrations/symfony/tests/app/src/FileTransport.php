<?php

declare(strict_types=1);

/*
 * The test application's failure transport, `testfile://DIR`: each envelope sent is a file in DIR
 * (its serializer's encoding, PHP-serialized), so that the test script sees what a pool worker
 * sent there. get() returns them, ack()/reject() delete them.
 */

namespace App;

use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\TransportFactoryInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

final class FileTransport implements TransportInterface
{
    public function __construct(private string $dir, private SerializerInterface $serializer)
    {
    }

    public function send(Envelope $envelope): Envelope
    {
        if (!is_dir($this->dir)) {
            mkdir($this->dir, 0o700, true);
        }
        $id = sprintf('%.6f-%d-%s', microtime(true), getmypid(), bin2hex(random_bytes(4)));
        file_put_contents("$this->dir/$id.tmp", serialize($this->serializer->encode($envelope)));
        rename("$this->dir/$id.tmp", "$this->dir/$id.msg");

        return $envelope->with(new TransportMessageIdStamp($id));
    }

    public function get(): iterable
    {
        $envelopes = [];
        foreach (glob("$this->dir/*.msg") ?: [] as $file) {
            $envelopes[] = $this->serializer->decode(unserialize((string) file_get_contents($file)))
                ->with(new TransportMessageIdStamp(basename($file, '.msg')));
        }

        return $envelopes;
    }

    public function ack(Envelope $envelope): void
    {
        @unlink($this->dir.'/'.$envelope->last(TransportMessageIdStamp::class)?->getId().'.msg');
    }

    public function reject(Envelope $envelope): void
    {
        $this->ack($envelope);
    }
}

final class FileTransportFactory implements TransportFactoryInterface
{
    public function createTransport(string $dsn, array $options, SerializerInterface $serializer): TransportInterface
    {
        return new FileTransport(substr($dsn, \strlen('testfile://')), $serializer);
    }

    public function supports(string $dsn, array $options): bool
    {
        return str_starts_with($dsn, 'testfile://');
    }
}
