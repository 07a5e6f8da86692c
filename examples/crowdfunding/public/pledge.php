<?php
/*
 * POST /pledge.php: validate, store the pledge, dispatch its background work,
 * answer at once. JSON for the page's fetch(), a redirect for a plain form post.
 */
require __DIR__ . '/../app/autoload.php';

use Crowdfunding\App;
use Crowdfunding\Tasks;

$wantsJson = str_contains($_SERVER['HTTP_ACCEPT'] ?? '', 'application/json');
$reply = function (int $status, array $body) use ($wantsJson): never {
    if ($wantsJson) {
        http_response_code($status);
        header('Content-Type: application/json');
        echo json_encode($body), "\n";
    } else {
        $query = $status === 201 ? 'thanks=' . $body['id'] : 'error=' . rawurlencode(implode(' ', $body['errors']));
        header("Location: /?$query#pledge", true, 303);
    }
    exit;
};

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    $reply(405, ['errors' => ['Use the pledge form.']]);
}

$name = trim((string) ($_POST['name'] ?? ''));
$email = trim((string) ($_POST['email'] ?? ''));
$phone = preg_replace('/[\s().-]/', '', (string) ($_POST['phone'] ?? ''));
$amount = filter_var($_POST['amount'] ?? '', FILTER_VALIDATE_INT, ['options' => ['min_range' => 1, 'max_range' => 10000]]);

$errors = [];
if (!preg_match('/^.{1,80}$/us', $name)) {
    $errors['name'] = 'Please give your name (at most 80 characters).';
}
if (!filter_var($email, FILTER_VALIDATE_EMAIL)) {
    $errors['email'] = 'Please give a valid e-mail address for your receipt.';
}
if ($phone !== '' && !preg_match('/^\+?[0-9]{6,15}$/', $phone)) {
    $errors['phone'] = 'A phone number has 6 to 15 digits.';
}
if ($amount === false) {
    $errors['amount'] = 'Pledge a whole amount between €1 and €10,000.';
}
if ($errors) {
    $reply(422, ['errors' => array_values($errors), 'fields' => array_keys($errors)]);
}

$db = App::db();
$db->prepare("INSERT INTO pledges (name, email, phone, amount_cents, created_at) VALUES (?, ?, ?, ?, datetime('now'))")
    ->execute([$name, $email, $phone, $amount * 100]);
$id = (int) $db->lastInsertId();

// The slow parts run in the asynctask pool; this request does not wait for them.
$started = hrtime(true);
AsyncTask\dispatch(fn () => Tasks::writeReceipt($id));
AsyncTask\dispatch(fn () => Tasks::sendSms($id));
AsyncTask\dispatch(fn () => Tasks::paymentCallback($id));
AsyncTask\dispatch(fn () => Tasks::recomputeTotals());
$dispatchUs = intdiv(hrtime(true) - $started, 1000);

$reply(201, ['id' => $id, 'amount' => App::money($amount * 100), 'dispatch_us' => $dispatchUs]);
