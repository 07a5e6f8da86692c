<?php
namespace Crowdfunding;

use PDO;

/** Paths, the campaign, and the SQLite database (schema and seed on first use). */
final class App
{
    public const CAMPAIGN = [
        'title' => 'Solar roof for the Riverside community library',
        'owner' => 'Friends of Riverside Library',
        'blurb' => 'Twelve solar panels and a battery keep the reading room, the homework club '
            . 'and the free Wi-Fi open through every power cut. Every pledge gets a receipt by e-mail and a thank-you text.',
        'goal_cents' => 600_000,
        'ends' => '2027-03-31',
    ];

    /** Where the database and the outbox live: $CROWDFUNDING_DATA, else ../var next to the app. */
    public static function dataDir(): string
    {
        $dir = getenv('CROWDFUNDING_DATA') ?: dirname(__DIR__, 2) . '/var';
        return rtrim($dir, '/');
    }

    public static function outbox(string $kind): string
    {
        $dir = self::dataDir() . "/outbox/$kind";
        if (!is_dir($dir)) {
            @mkdir($dir, 0775, true);
        }
        return $dir;
    }

    /** One connection per process: a request opens its own, a task worker keeps one across tasks. */
    public static function db(): PDO
    {
        static $pdo = null, $pid = null;
        if ($pdo !== null && $pid === getmypid()) {
            return $pdo;
        }
        $pdo = new PDO('sqlite:' . self::dataDir() . '/crowdfunding.sqlite', null, null, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            PDO::ATTR_TIMEOUT => 30,
        ]);
        $pid = getmypid();
        $pdo->exec('PRAGMA journal_mode = WAL');
        $pdo->exec('PRAGMA synchronous = NORMAL');
        $pdo->exec('CREATE TABLE IF NOT EXISTS pledges (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL DEFAULT \'\',
            amount_cents INTEGER NOT NULL, status TEXT NOT NULL DEFAULT \'pending\',
            created_at TEXT NOT NULL, paid_at TEXT, receipt_at TEXT, sms_at TEXT)');
        $pdo->exec('CREATE TABLE IF NOT EXISTS totals (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pledged_cents INTEGER NOT NULL, paid_cents INTEGER NOT NULL, backers INTEGER NOT NULL,
            updated_at TEXT NOT NULL)');
        if ((int) $pdo->query('SELECT COUNT(*) FROM totals')->fetchColumn() === 0) {
            self::seed($pdo);
        }
        return $pdo;
    }

    /** A campaign that has been running for a while: some earlier (already paid) pledges. */
    private static function seed(PDO $pdo): void
    {
        $pdo->beginTransaction();
        $insert = $pdo->prepare('INSERT INTO pledges (name, email, amount_cents, status, created_at, paid_at, receipt_at, sms_at)
            VALUES (?, ?, ?, \'paid\', ?, ?, ?, ?)');
        $names = ['Amara O.', 'Jonas K.', 'Priya S.', 'Luis M.', 'Hana T.', 'Samuel A.', 'Ines R.', 'Kwame B.', 'Mei L.', 'Olga P.'];
        foreach ($names as $i => $name) {
            $at = date('Y-m-d H:i:s', time() - (count($names) - $i) * 3600 * 7);
            $insert->execute([$name, strtolower(strtok($name, ' ')) . '@example.org', [25, 50, 100, 250, 500, 40, 75, 150, 1000, 60][$i] * 100, $at, $at, $at, $at]);
        }
        $pdo->exec('INSERT OR IGNORE INTO totals VALUES (1, 0, 0, 0, datetime(\'now\'))');
        $pdo->commit();
        Tasks::recomputeTotals();
    }

    public static function money(int $cents): string
    {
        return '€' . number_format($cents / 100, $cents % 100 ? 2 : 0, '.', ',');
    }

    /** Everything the page shows, also polled as JSON by the page (status.php). */
    public static function state(): array
    {
        $db = self::db();
        $t = $db->query('SELECT * FROM totals WHERE id = 1')->fetch();
        $pledges = $db->query('SELECT id, name, amount_cents, status, created_at, paid_at, receipt_at, sms_at
            FROM pledges ORDER BY id DESC LIMIT 6')->fetchAll();
        foreach ($pledges as &$p) {
            $p['amount'] = self::money((int) $p['amount_cents']);
            $p['receipt'] = is_file(self::outbox('receipts') . "/pledge-{$p['id']}.txt");
            $p['sms'] = is_file(self::outbox('sms') . "/pledge-{$p['id']}.txt");
        }
        $goal = self::CAMPAIGN['goal_cents'];
        return [
            'campaign' => [
                'goal' => self::money($goal),
                'pledged' => self::money((int) $t['pledged_cents']),
                'paid' => self::money((int) $t['paid_cents']),
                'pledged_cents' => (int) $t['pledged_cents'],
                'paid_cents' => (int) $t['paid_cents'],
                'backers' => (int) $t['backers'],
                'percent' => min(100, round(100 * $t['pledged_cents'] / $goal, 1)),
                'updated_at' => $t['updated_at'],
            ],
            'pledges' => $pledges,
        ];
    }
}
