<?php
/* GET /receipt.php?id=N: the receipt a task wrote to the outbox. */
require __DIR__ . '/../app/autoload.php';

use Crowdfunding\App;

$id = filter_var($_GET['id'] ?? '', FILTER_VALIDATE_INT, ['options' => ['min_range' => 1]]);
$file = $id ? App::outbox('receipts') . "/pledge-$id.txt" : null;
header('Content-Type: text/plain; charset=utf-8');
if (!$file || !is_file($file)) {
    http_response_code(404);
    echo "No receipt yet.\n";
    exit;
}
readfile($file);
