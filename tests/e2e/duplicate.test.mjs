// End-to-end tests of issue 6 item 16: the same person queued twice in one
// insats needs a confirmation, and a resent referral (double submit, or the
// API with the same Idempotency-Key) creates one participation.  People are
// synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, pnr, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

const PNR = pnr('19790215248'); // ninth digit 4: a woman
const PNR_API = pnr('19830521137');

async function deltagare() {
  const c = new Client(srv.base);
  await c.login('deltagare');
  return c;
}

// The form as rendered: its one-time token.
async function formToken(c, insats) {
  const page = await c.get(`/insatser/${insats}/anmalan`);
  const m = page.text.match(/name="form_token" value="([^"]+)"/);
  assert.ok(m, 'the form carries a one-time token');
  return m[1];
}

async function count(c, insats) {
  const r = await c.get(`/api/v1/interventions/${insats}/participations?antal=100`);
  assert.equal(r.status, 200, r.text);
  assert.equal(typeof r.json().total, 'number');
  return r.json().total;
}

const body = (token, extra = {}) => ({
  referred_on: today(), source: 'fk', home_area_id: '1', consent_on: today(), consent_form: '2024:1',
  pnr: PNR, name: 'Dubbel Dubbelsson', form_token: token, ...extra,
});

describe('the referral form sent twice', () => {
  let c, first;

  test('the same POST twice creates one participation and answers the same one', async () => {
    c = await deltagare();
    const token = await formToken(c, 1);
    const before = await count(c, 1);
    const a = await c.post('/insatser/1/anmalan', body(token));
    assert.equal(a.status, 303, a.text.slice(0, 500));
    const b = await c.post('/insatser/1/anmalan', body(token));
    assert.equal(b.status, 303, b.text.slice(0, 500));
    first = a.headers.get('location').split('?')[0];
    assert.match(first, /^\/deltagare\/\d+$/);
    assert.equal(b.headers.get('location').split('?')[0], first);
    assert.equal(await count(c, 1), before + 1);
  });

  test('the same person again warns, keeps what was typed and offers "Registrera ändå"', async () => {
    const token = await formToken(c, 1);
    const before = await count(c, 1);
    const r = await c.post('/insatser/1/anmalan', body(token, { source_unit: 'Socialtjänsten' }));
    assert.equal(r.status, 422);
    assert.equal(r.headers.get('location'), null);
    const id = first.split('/').pop();
    assert.match(r.text, new RegExp(`står redan i kö eller deltar i den här insatsen \\(deltagande ${id}\\)`));
    assert.match(r.text, new RegExp(`id="f-pnr"[^>]*value="${PNR}"`));
    assert.match(r.text, /value="Dubbel Dubbelsson"/);
    assert.match(r.text, /value="Socialtjänsten"/);
    assert.match(r.text, /<input type="checkbox" value="1" id="f-confirm_duplicate" name="confirm_duplicate"/);
    assert.match(r.text, new RegExp(`name="form_token" value="${token}"`), 'the same token goes on');
    assert.equal(await count(c, 1), before);
    const ok = await c.post('/insatser/1/anmalan', body(token, { confirm_duplicate: '1' }));
    assert.equal(ok.status, 303, ok.text.slice(0, 500));
    assert.notEqual(ok.headers.get('location').split('?')[0], first);
    assert.equal(await count(c, 1), before + 1);
  });

  test('the same number in another insats is not reported', async () => {
    const token = await formToken(c, 3);
    const r = await c.post('/insatser/3/anmalan', body(token));
    assert.equal(r.status, 303, r.text.slice(0, 500));
  });
});

describe('the API referral sent twice', () => {
  const api = (c, json, headers = {}) =>
    c.request('POST', '/api/v1/interventions/2/referrals', { json, headers: { 'X-CSRF-Token': c.csrf, ...headers } });
  const ref = (extra = {}) => ({
    referred_on: today(), source: 'fk', consent_on: today(), consent_form: '2024:1', pnr: PNR_API,
    name: 'Api Dubbel', ...extra,
  });

  test('the same Idempotency-Key answers the first participation', async () => {
    const c = await deltagare();
    const before = await count(c, 2);
    const a = await api(c, ref(), { 'Idempotency-Key': 'anmalan-42' });
    assert.equal(a.status, 201, a.text);
    const b = await api(c, ref(), { 'Idempotency-Key': 'anmalan-42' });
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json().id, a.json().id);
    assert.equal(await count(c, 2), before + 1);
    const dup = await api(c, ref());
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.json().error.code, 'duplicate');
    assert.equal(dup.json().error.field, 'pnr');
    const bad = await api(c, ref({ confirm_duplicate: 'ja' }));
    assert.equal(bad.status, 422);
    const yes = await api(c, ref({ confirm_duplicate: true }));
    assert.equal(yes.status, 201, yes.text);
    assert.notEqual(yes.json().id, a.json().id);
    assert.equal(await count(c, 2), before + 2);
  });
});
