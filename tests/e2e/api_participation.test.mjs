// End-to-end tests of the participant API under /api/v1/: the same rules
// as the pages, with JSON errors naming the field.  People are synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, finsam, pnr, startServer, today } from './lib.mjs';

let srv, token;
before(async () => {
  srv = await startServer();
  token = finsam(['token', 'add', srv.db, 'Integration']).trim();
});
after(async () => { assert.equal(await srv.stop(), 0); });

const bearer = () => ({ Authorization: `Bearer ${token}` });

async function session(user) {
  const c = new Client(srv.base);
  await c.login(user);
  return c;
}
const api = (c, method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': c.csrf } });

describe('insatser through the API', () => {
  test('lists and reads insatser with years and target groups', async () => {
    const c = new Client(srv.base);
    const list = await c.get('/api/v1/interventions', { headers: bearer() });
    assert.equal(list.status, 200);
    assert.equal(list.json().items.length, 8);
    const one = await c.get('/api/v1/interventions/1', { headers: bearer() });
    assert.equal(one.json().name, 'Steget vidare');
    assert.deepEqual(one.json().target_groups, ['langtidssjukskrivna']);
    assert.equal(one.json().years.length, 2);
  });

  test('creates one and refuses to change its fixed fields', async () => {
    const c = new Client(srv.base);
    const r = await c.request('POST', '/api/v1/interventions', {
      headers: bearer(),
      json: { name: 'API-insatsen', orientation: 'individ', method: 'person', esf: false, start_on: today(), target_groups: ['unga_vuxna'] },
    });
    assert.equal(r.status, 201, r.text);
    const id = r.json().id;
    const ch = await c.request('PUT', `/api/v1/interventions/${id}`, { headers: bearer(), json: { esf: true } });
    assert.equal(ch.status, 422);
    assert.equal(ch.json().error.field, 'esf');
    const ok = await c.request('PUT', `/api/v1/interventions/${id}`, { headers: bearer(), json: { description: 'Ny text' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.json().description, 'Ny text');
    assert.equal(ok.json().name, 'API-insatsen');
    const bad = await c.request('POST', '/api/v1/interventions', { headers: bearer(), json: { name: 'X', orientation: 'individ', method: 'person', start_on: 'igår' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().error.field, 'start_on');
  });

  test('code lists are published', async () => {
    const r = await new Client(srv.base).get('/api/v1/codes', { headers: bearer() });
    const support = r.json().support.find((x) => x.code === 'sjukpenning');
    assert.equal(support.group, 'ohalsa');
  });
});

describe('participants through the API', () => {
  test('an integration token may read but not register participants', async () => {
    const c = new Client(srv.base);
    assert.equal((await c.get('/api/v1/queue', { headers: bearer() })).status, 200);
    const r = await c.request('POST', '/api/v1/interventions/1/referrals', { headers: bearer(), json: { referred_on: today(), source: 'fk', sex: 'K' } });
    assert.equal(r.status, 403);
  });

  test('a deltagaransvarig refers, starts, ends and withdraws consent', async () => {
    const c = await session('deltagare');
    const ref = await api(c, 'POST', '/api/v1/interventions/2/referrals', {
      referred_on: today(), source: 'kommun', home_area_id: 2, consent_on: today(), consent_form: '2024:1',
      pnr: pnr('20010930159'), name: 'Api Testsson',
    });
    assert.equal(ref.status, 201, ref.text);
    const p = ref.json();
    assert.equal(p.state, 'queued');
    assert.equal(p.identified, true);
    assert.equal(p.sex, 'M');
    assert.equal(p.birth_year, 2001);
    assert.equal(JSON.stringify(p).includes('Api Testsson'), false, 'no identity in answers');
    const q = await c.get('/api/v1/queue?insats=2');
    assert.ok(q.json().items.some((x) => x.id === p.id && x.waiting_days === 0));
    const list = await c.get('/api/v1/interventions/2/participations');
    assert.equal(list.json().items[0].id, p.id, 'newest referral first');
    const bad = await api(c, 'POST', `/api/v1/participations/${p.id}/start`, { date: today(), answers: [{ list: 'support', code: 'lon' }] });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().error.field, 'employment');
    // 2^32 + 50 was cast to an int and stored as 50 %.
    const wrapped = await api(c, 'POST', `/api/v1/participations/${p.id}/start`, {
      date: today(), answers: [{ list: 'support', code: 'aktivitetsstod', extent: 4294967346 }, { list: 'employment', code: 'aktivt_arbetssokande' }],
    });
    assert.equal(wrapped.status, 422);
    assert.equal(wrapped.json().error.field, 'extent');
    assert.match(wrapped.json().error.message, /mellan 0 och 100/);
    const s = await api(c, 'POST', `/api/v1/participations/${p.id}/start`, {
      date: today(), answers: [{ list: 'support', code: 'aktivitetsstod', extent: 100 }, { list: 'employment', code: 'aktivt_arbetssokande' }],
    });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json().state, 'active');
    const h = await api(c, 'POST', `/api/v1/participations/${p.id}/attendance`, { month: today().slice(0, 7), hours_tenths: 80 });
    assert.equal(h.status, 200);
    const huge = await api(c, 'POST', `/api/v1/participations/${p.id}/attendance`, { month: today().slice(0, 7), hours_tenths: 1844674407370955162 });
    assert.equal(huge.status, 422);
    assert.equal(huge.json().error.field, 'hours_tenths');
    const e = await api(c, 'POST', `/api/v1/participations/${p.id}/end`, { date: today(), end_reason: 'studier', answers: [{ list: 'employment', code: 'studier' }] });
    assert.equal(e.status, 200);
    assert.equal(e.json().end_reason, 'studier');
    const w = await api(c, 'POST', `/api/v1/participations/${p.id}/withdraw-consent`, { date: today() });
    assert.equal(w.status, 200);
    assert.equal(w.json().identified, false);
    assert.equal(w.json().birth_year, null);
    assert.equal(w.json().sex, 'M', 'figures stay');
    const got = await c.get(`/api/v1/participations/${p.id}`);
    assert.equal(got.json().answers.length, 3);
  });

  test('errors name the field, and unknown fields are refused', async () => {
    const c = await session('deltagare');
    const r = await api(c, 'POST', '/api/v1/interventions/1/referrals', { referred_on: today(), source: 'fk', pnr: pnr('19800101123'), name: 'X' });
    assert.equal(r.status, 422);
    assert.equal(r.json().error.field, 'consent_on');
    const u = await api(c, 'POST', '/api/v1/interventions/1/referrals', { referred_on: today(), source: 'fk', sex: 'K', ogon: 'blå' });
    assert.equal(u.status, 422);
    assert.equal(u.json().error.field, 'ogon');
    const t = await api(c, 'POST', '/api/v1/interventions/1/referrals', { referred_on: today(), source: 'fk', sex: 'K', home_area_id: 'Ekeby' });
    assert.equal(t.status, 422);
    assert.equal(t.json().error.field, 'home_area_id');
    const other = await api(c, 'POST', '/api/v1/interventions/6/referrals', { referred_on: today(), source: 'fk', sex: 'K' });
    assert.equal(other.status, 403);
  });
});
