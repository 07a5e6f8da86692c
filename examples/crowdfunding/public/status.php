<?php
/* GET /status.php: the campaign, the latest pledges, and the pool's live stats (polled by the page). */
require __DIR__ . '/../app/autoload.php';

use Crowdfunding\App;

$state = App::state();
try {
    $state['pool'] = AsyncTask\Pool::stats();
} catch (Throwable $e) {
    $state['pool'] = ['error' => $e->getMessage()];
}
$state['outbox'] = [
    'receipts' => count(glob(App::outbox('receipts') . '/*.txt')),
    'sms' => count(glob(App::outbox('sms') . '/*.txt')),
];
header('Content-Type: application/json');
header('Cache-Control: no-store');
echo json_encode($state, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
