// Submits the pledge form with fetch() and keeps the page live by polling
// status.php (totals, latest pledges, AsyncTask\Pool::stats()) every second.
(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('pledge-form');
  const message = $('message');
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  document.querySelectorAll('.chip').forEach((chip) => chip.addEventListener('click', () => {
    $('amount').value = chip.dataset.amount;
    document.querySelectorAll('.chip').forEach((c) => c.classList.toggle('on', c === chip));
  }));

  const show = (kind, text) => {
    message.hidden = false;
    message.className = `message ${kind}`;
    message.textContent = text;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    form.querySelectorAll('input').forEach((i) => i.removeAttribute('aria-invalid'));
    $('submit').disabled = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' },
      });
      const body = await response.json();
      if (response.status === 201) {
        show('ok', `Thank you! Pledge #${body.id} of ${body.amount} is in: your receipt is on its way.`);
        form.dataset.lastPledge = body.id;
        form.reset();
        document.querySelectorAll('.chip').forEach((c) => c.classList.remove('on'));
        refresh();
      } else {
        (body.fields || []).forEach((f) => form.elements[f] && form.elements[f].setAttribute('aria-invalid', 'true'));
        show('error', (body.errors || ['Something went wrong.']).join(' '));
      }
    } catch (e) {
      show('error', 'The pledge could not be sent. Please try again.');
    } finally {
      $('submit').disabled = false;
    }
  });

  const seen = new Set([...document.querySelectorAll('#pledges li')].map((li) => li.dataset.id));
  const POOL_KEYS = ['workers', 'idle', 'running', 'queued', 'completed', 'dispatched'];

  function render(s) {
    const c = s.campaign;
    $('pledged').textContent = c.pledged;
    $('paid').textContent = c.paid;
    $('percent').textContent = `${c.percent}%`;
    $('backers').textContent = c.backers;
    $('bar-fill').style.width = `${c.percent}%`;
    document.querySelector('.bar').setAttribute('aria-valuenow', c.percent);
    $('pledges').innerHTML = s.pledges.map((p) => `
      <li data-id="${p.id}" data-status="${esc(p.status)}" class="${seen.has(String(p.id)) ? '' : 'new'}">
        <span class="who">${esc(p.name)}</span><span class="amount">${esc(p.amount)}</span>
        <span class="badges"><span class="badge ${esc(p.status)}">${esc(p.status)}</span>
        ${p.receipt ? `<a class="badge done receipt" href="/receipt.php?id=${p.id}">receipt</a>` : ''}
        ${p.sms ? '<span class="badge done sms">sms</span>' : ''}</span>
      </li>`).join('');
    s.pledges.forEach((p) => seen.add(String(p.id)));
    const pool = s.pool || {};
    $('pool').innerHTML = pool.error
      ? `<div><dt>pool</dt><dd>${esc(pool.error)}</dd></div>`
      : POOL_KEYS.map((k) => `<div><dt>${k}</dt><dd data-key="${k}">${esc(pool[k] ?? '–')}</dd></div>`).join('');
  }

  async function refresh() {
    try {
      const response = await fetch('/status.php', { cache: 'no-store' });
      render(await response.json());
    } catch (e) { /* the next poll retries */ }
  }
  refresh();
  setInterval(refresh, 1000);
})();
