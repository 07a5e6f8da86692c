<?php

declare(strict_types=1);

namespace AsyncTask\Revolt\Tests;

use PHPUnit\Framework\TestCase;

use function Amp\async;
use function Amp\delay;
use function AsyncTask\dispatch;
use function AsyncTask\Revolt\await;

/** Amp v3 runs on Revolt's loop: await() inside Amp\async(), beside Amp's own timers. */
final class AmpTest extends TestCase
{
    public function testAwaitInsideAmpAsync(): void
    {
        if (!\function_exists('Amp\async')) {
            $this->markTestSkipped('amphp/amp is not installed');
        }
        $order = [];
        $a = async(static function () use (&$order): string {
            $value = await(dispatch(static function (): string {
                usleep(200_000);
                return 'pool';
            }));
            $order[] = 'pool';
            return $value;
        });
        $b = async(static function () use (&$order): string {
            delay(0.01);
            $order[] = 'timer';
            return 'amp';
        });
        $values = \Amp\Future\await([$a, $b]);  // keys in the order they settled
        ksort($values);
        $this->assertSame(['pool', 'amp'], $values);
        $this->assertSame(['timer', 'pool'], $order, "Amp's timer ran while the task did");
    }
}
