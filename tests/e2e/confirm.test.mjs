// End-to-end tests of the confirmation step before actions that cannot be
// (easily) undone: disabling an account, revoking an API key, taking a
// code-list item out of use, cancelling a queued referral and ending a
// participation as felregistrering.  A POST without the ticked
// confirmation is answered 422 with the confirmation page and changes
// nothing; with it the action is done.  People are synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

async function as(user, password) {
  const c = new Client(srv.base);
  const r = await c.login(user, password);
  return { c, status: r.status };
}

// The confirmation page: a warning box, a required checkbox, no script.
function assertConfirmPage(html, says) {
  assert.match(html, /<div class="warning">/);
  assert.match(html, new RegExp(says));
  assert.match(html, /<input type="checkbox" id="f-confirm" name="confirm" value="ja" required/);
  assert.doesNotMatch(html, /<script/);
}

async function refer(c) {
  await c.get('/insatser/1/anmalan');
  const r = await c.post('/insatser/1/anmalan', { referred_on: today(), source: 'fk', home_area_id: '1', sex: 'K' });
  assert.equal(r.status, 303);
  return r.headers.get('location').split('?')[0];
}

describe('confirmation before what cannot be undone', () => {
  test('disabling an account', async () => {
    const { c: admin } = await as('admin');
    await admin.get('/anvandare');
    const made = await admin.post('/anvandare', { username: 'bekrafta.mig', display_name: 'Bekräfta Mig', role: 'revisor', password: 'ett-langt-losen-1' });
    assert.equal(made.status, 303);
    const list = await admin.get('/anvandare');
    const id = list.text.match(/href="\/anvandare\/(\d+)\/stang-av">Stäng av <span class="visually-hidden">bekrafta\.mig/)[1];
    const page = await admin.get(`/anvandare/${id}/stang-av`);
    assert.equal(page.status, 200);
    assertConfirmPage(page.text, 'Bekräfta Mig kan inte logga in förrän kontot aktiveras igen');
    const no = await admin.post(`/anvandare/${id}/stang-av`, {});
    assert.equal(no.status, 422);
    assertConfirmPage(no.text, 'Kryssa i att du förstår vad som händer');
    assert.equal((await as('bekrafta.mig', 'ett-langt-losen-1')).status, 303, 'still able to log in');
    const yes = await admin.post(`/anvandare/${id}/stang-av`, { confirm: 'ja' });
    assert.equal(yes.status, 303);
    assert.notEqual((await as('bekrafta.mig', 'ett-langt-losen-1')).status, 303, 'disabled');
  });

  test('revoking an API key', async () => {
    const { c: admin } = await as('admin');
    await admin.get('/api-nycklar');
    const made = await admin.post('/api-nycklar', { name: 'Bekräftelsetest', role: 'revisor' });
    const token = made.text.match(/<p class="token">([^<]+)<\/p>/)[1];
    const id = made.text.match(/href="\/api-nycklar\/(\d+)\/aterkalla">Återkalla <span class="visually-hidden">Bekräftelsetest/)[1];
    const api = () => fetch(`${srv.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    assert.equal(await api(), 200);
    const page = await admin.get(`/api-nycklar/${id}/aterkalla`);
    assert.equal(page.status, 200);
    assertConfirmPage(page.text, 'API-nyckeln slutar fungera och kan inte återställas');
    const no = await admin.post(`/api-nycklar/${id}/aterkalla`, {});
    assert.equal(no.status, 422);
    assert.equal(await api(), 200, 'the key still works');
    const yes = await admin.post(`/api-nycklar/${id}/aterkalla`, { confirm: 'ja' });
    assert.equal(yes.status, 303);
    assert.equal(await api(), 401);
  });

  test('taking a code-list item out of use', async () => {
    const { c: admin } = await as('admin');
    await admin.get('/kodlistor');
    const form = { list: 'end_reason', code: 'flytt', label: 'Flytt', active: '0' };
    const no = await admin.post('/kodlistor', form);
    assert.equal(no.status, 422);
    assertConfirmPage(no.text, 'går inte längre att välja');
    assert.match(no.text, /<input type="hidden" name="active" value="0">/, 'what was posted is kept');
    assert.doesNotMatch(no.text, /class="error-summary"/, 'no error before the confirmation was asked');
    assert.match((await admin.get('/kodlistor')).text, /<td[^>]*>flytt<\/td>[\s\S]*?<td[^>]*>I bruk<\/td>/, 'still in use');
    const again = await admin.post('/kodlistor', { ...form, steg: 'bekrafta' });
    assert.equal(again.status, 422);
    assert.match(again.text, /Kryssa i att du förstår vad som händer/);
    const yes = await admin.post('/kodlistor', { ...form, confirm: 'ja' });
    assert.equal(yes.status, 303);
    assert.match((await admin.get('/kodlistor')).text, /<td[^>]*>flytt<\/td>[\s\S]*?<td[^>]*>Ur bruk<\/td>/);
    // Relabelling an item in use needs no confirmation.
    assert.equal((await admin.post('/kodlistor', { ...form, active: '1' })).status, 303);
  });

  test('cancelling a queued referral', async () => {
    const { c } = await as('deltagare');
    const loc = await refer(c);
    const no = await c.post(`${loc}/avbryt`, { date: today(), end_reason: 'flytt' });
    assert.equal(no.status, 422);
    assertConfirmPage(no.text, 'Personen tas bort ur kön');
    assert.match((await c.get(loc)).text, /I kö/, 'still queued');
    const yes = await c.post(`${loc}/avbryt`, { date: today(), end_reason: 'flytt', confirm: 'ja' });
    assert.equal(yes.status, 303);
    assert.match(yes.headers.get('location'), /klart=avbruten/);
  });

  test('ending as felregistrering, but not an ordinary end', async () => {
    const { c } = await as('deltagare');
    const loc = await refer(c);
    const s = await c.post(`${loc}/start`, { date: today(), support: 'forsorjningsstod', employment: 'aktivt_arbetssokande' });
    assert.equal(s.status, 303);
    const no = await c.post(`${loc}/avslut`, { date: today(), end_reason: 'felregistrering' });
    assert.equal(no.status, 422);
    assertConfirmPage(no.text, 'räknas inte längre i statistiken');
    assert.match((await c.get(loc)).text, /Pågående/, 'still active');
    const yes = await c.post(`${loc}/avslut`, { date: today(), end_reason: 'felregistrering', confirm: 'ja' });
    assert.equal(yes.status, 303);
    assert.match((await c.get(loc)).text, /felregistrering, utanför statistiken/);
    const other = await refer(c);
    await c.post(`${other}/start`, { date: today(), support: 'forsorjningsstod', employment: 'aktivt_arbetssokande' });
    assert.equal((await c.post(`${other}/avslut`, { date: today(), end_reason: 'flytt' })).status, 303);
  });
});
