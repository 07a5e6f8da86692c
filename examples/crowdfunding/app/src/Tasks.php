<?php
namespace Crowdfunding;

/**
 * The background work of a pledge. pledge.php dispatches these to the
 * asynctask pool and answers the browser at once; they run in the task
 * workers (which autoload this class through asynctask.bootstrap). Their
 * echo output goes to asynctask.log, never to a browser.
 */
final class Tasks
{
    /** The e-mail receipt, written to the outbox folder (a mailer would pick it up). */
    public static function writeReceipt(int $id): string
    {
        $p = self::pledge($id);
        $file = App::outbox('receipts') . "/pledge-$id.txt";
        $body = sprintf(
            "To: %s <%s>\nSubject: Your pledge to \"%s\"\n\nDear %s,\n\nthank you for pledging %s.\n"
            . "Pledge #%d, received %s UTC.\nYou will be charged once the payment provider confirms.\n\n-- %s\n",
            $p['name'], $p['email'], App::CAMPAIGN['title'], $p['name'], App::money((int) $p['amount_cents']),
            $id, $p['created_at'], App::CAMPAIGN['owner']
        );
        file_put_contents("$file.tmp", $body);
        rename("$file.tmp", $file);
        App::db()->prepare('UPDATE pledges SET receipt_at = datetime(\'now\') WHERE id = ?')->execute([$id]);
        echo "receipt for pledge #$id written to $file\n";
        return $file;
    }

    /** A thank-you text through a (simulated) SMS gateway: 200-500 ms round trip. */
    public static function sendSms(int $id): string
    {
        $p = self::pledge($id);
        usleep(random_int(200, 500) * 1000);
        $to = $p['phone'] !== '' ? $p['phone'] : '(no phone given)';
        $file = App::outbox('sms') . "/pledge-$id.txt";
        file_put_contents($file, "To: $to\nThanks {$p['name']}! Your pledge of " . App::money((int) $p['amount_cents'])
            . " to the Riverside solar roof is in.\n");
        App::db()->prepare('UPDATE pledges SET sms_at = datetime(\'now\') WHERE id = ?')->execute([$id]);
        echo "sms for pledge #$id sent to $to\n";
        return $file;
    }

    /** The payment provider's (simulated) callback, 0.8-1.5 s later: the pledge is paid. */
    public static function paymentCallback(int $id): string
    {
        usleep(random_int(800, 1500) * 1000);
        App::db()->prepare('UPDATE pledges SET status = \'paid\', paid_at = datetime(\'now\') WHERE id = ? AND status = \'pending\'')
            ->execute([$id]);
        self::recomputeTotals();
        echo "payment for pledge #$id confirmed\n";
        return 'paid';
    }

    /** Totals recomputed from the pledges (idempotent, so concurrent runs agree). */
    public static function recomputeTotals(): array
    {
        $db = App::db();
        $t = $db->query('SELECT COALESCE(SUM(amount_cents), 0) AS pledged,
            COALESCE(SUM(CASE WHEN status = \'paid\' THEN amount_cents END), 0) AS paid,
            COUNT(DISTINCT lower(email)) AS backers FROM pledges')->fetch();
        $db->prepare('UPDATE totals SET pledged_cents = ?, paid_cents = ?, backers = ?, updated_at = datetime(\'now\') WHERE id = 1')
            ->execute([$t['pledged'], $t['paid'], $t['backers']]);
        return $t;
    }

    private static function pledge(int $id): array
    {
        $stmt = App::db()->prepare('SELECT * FROM pledges WHERE id = ?');
        $stmt->execute([$id]);
        return $stmt->fetch() ?: throw new \RuntimeException("no pledge #$id");
    }
}
