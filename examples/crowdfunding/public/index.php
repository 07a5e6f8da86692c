<?php
/* The campaign page: rendered on the server, then kept live by app.js (status.php). */
require __DIR__ . '/../app/autoload.php';

use Crowdfunding\App;

$c = App::CAMPAIGN;
$s = App::state();
$h = fn ($v) => htmlspecialchars((string) $v, ENT_QUOTES);
$thanks = isset($_GET['thanks']) ? (int) $_GET['thanks'] : 0;
$error = isset($_GET['error']) ? (string) $_GET['error'] : '';
$daysLeft = max(0, (int) ceil((strtotime($c['ends']) - time()) / 86400));
?>
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?= $h($c['title']) ?></title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header class="hero">
  <div class="sun" aria-hidden="true"></div>
  <p class="owner"><?= $h($c['owner']) ?></p>
  <h1><?= $h($c['title']) ?></h1>
</header>

<main>
  <section class="card totals" aria-live="polite">
    <p class="raised"><strong id="pledged"><?= $h($s['campaign']['pledged']) ?></strong>
      <span>pledged of <?= $h($s['campaign']['goal']) ?></span></p>
    <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
         aria-valuenow="<?= $h($s['campaign']['percent']) ?>">
      <div id="bar-fill" style="width: <?= $h($s['campaign']['percent']) ?>%"></div>
    </div>
    <ul class="facts">
      <li><strong id="percent"><?= $h($s['campaign']['percent']) ?>%</strong> funded</li>
      <li><strong id="backers"><?= $h($s['campaign']['backers']) ?></strong> backers</li>
      <li><strong><?= $daysLeft ?></strong> days left</li>
    </ul>
    <p class="paid">Confirmed by the payment provider: <strong id="paid"><?= $h($s['campaign']['paid']) ?></strong></p>
  </section>

  <section class="card">
    <p class="blurb"><?= $h($c['blurb']) ?></p>
  </section>

  <section class="card" id="pledge">
    <h2>Back this project</h2>
    <div id="message" class="message<?= $thanks ? ' ok' : ($error ? ' error' : '') ?>"<?= $thanks || $error ? '' : ' hidden' ?>>
      <?= $thanks ? 'Thank you! Pledge #' . $thanks . ' is in: your receipt is on its way.' : $h($error) ?>
    </div>
    <form id="pledge-form" method="post" action="/pledge.php" novalidate>
      <div class="amounts" role="group" aria-label="Quick amounts">
        <?php foreach ([10, 25, 50, 100] as $a): ?>
          <button type="button" class="chip" data-amount="<?= $a ?>">€<?= $a ?></button>
        <?php endforeach ?>
      </div>
      <label>Amount (€)<input name="amount" id="amount" type="number" inputmode="numeric" min="1" max="10000" step="1" required value="25"></label>
      <label>Name<input name="name" id="name" autocomplete="name" maxlength="80" required></label>
      <label>E-mail for the receipt<input name="email" id="email" type="email" autocomplete="email" required></label>
      <label>Mobile for a thank-you text <small>(optional)</small><input name="phone" id="phone" type="tel" autocomplete="tel"></label>
      <button type="submit" id="submit" class="primary">Pledge</button>
    </form>
  </section>

  <section class="card">
    <h2>Latest pledges</h2>
    <ol id="pledges" class="pledges">
      <?php foreach ($s['pledges'] as $p): ?>
        <li data-id="<?= $h($p['id']) ?>">
          <span class="who"><?= $h($p['name']) ?></span>
          <span class="amount"><?= $h($p['amount']) ?></span>
          <span class="badges">
            <span class="badge <?= $h($p['status']) ?>"><?= $h($p['status']) ?></span>
            <?php if ($p['receipt']): ?><a class="badge done" href="/receipt.php?id=<?= $h($p['id']) ?>">receipt</a><?php endif ?>
            <?php if ($p['sms']): ?><span class="badge done">sms</span><?php endif ?>
          </span>
        </li>
      <?php endforeach ?>
    </ol>
  </section>

  <section class="card pool">
    <h2>Background tasks <small>live <code>AsyncTask\Pool::stats()</code></small></h2>
    <dl id="pool"></dl>
    <p class="hint">Each pledge dispatches 4 tasks: receipt, SMS, payment callback, totals.</p>
  </section>
</main>
<script src="/app.js"></script>
</body>
</html>
