// End-to-end tests of forms in an error state: a POST with several
// mistakes is answered 422 with every error in the summary, each linked to
// its field, the field marked, and everything typed still in the form.
// One-line text refuses line breaks and invisible direction characters in
// forms and in the JSON API.  People are synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, pnr, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

const PERSON = pnr('19870312248');
const RLO = '\u202E';

function summaryLinks(html) {
  const m = html.match(/<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/);
  assert.ok(m, 'an error summary');
  return [...m[1].matchAll(/href="#([^"]+)"/g)].map((x) => x[1]);
}

function assertInvalid(html, id) {
  const input = html.match(new RegExp(`<(?:input|select|textarea)[^>]*id="${id}"[^>]*>`));
  assert.ok(input, `a control ${id}`);
  assert.match(input[0], /aria-invalid="true"/, `${id} is marked invalid`);
  assert.match(input[0], /aria-describedby="[^"]*e-/, `${id} points at its message`);
}

async function login(name) {
  const c = new Client(srv.base);
  await c.login(name);
  return c;
}

describe('the referral form', () => {
  test('shows every mistake at once and keeps what was typed, the number too', async () => {
    const c = await login('deltagare');
    await c.get('/insatser/1/anmalan');
    const r = await c.post('/insatser/1/anmalan', {
      referred_on: '2026-02-30', source: '', source_unit: 'Soc\r\ntjänsten', consent_on: today(),
      consent_form: '', pnr: PERSON, name: `Anna ${RLO}grebnA`,
    });
    assert.equal(r.status, 422);
    assert.equal(r.headers.get('location'), null);
    assert.match(r.text, /Anmälningsdatum: Datumet finns inte – ange ett giltigt datum som 2026-02-28\./);
    assert.doesNotMatch(r.text, /Anmälningsdatum måste anges/);
    const links = summaryLinks(r.text);
    for (const f of ['referred_on', 'source', 'source_unit', 'consent_form', 'name'])
      assert.ok(links.includes(`f-${f}`), `summary links ${f}: ${links}`);
    for (const f of ['referred_on', 'source', 'source_unit', 'consent_form', 'name'])
      assertInvalid(r.text, `f-${f}`);
    assert.match(r.text, /value="2026-02-30"/);
    assert.match(r.text, new RegExp(`id="f-pnr"[^>]*value="${PERSON}"`), 'the number stays');
    assert.match(r.text, /id="f-pnr"[^>]*autocomplete="off"/);
    assert.match(r.text, /<form [^>]*novalidate/);
    assert.match(r.text, /for="f-referred_on">Anmälningsdatum <span class="req">/);
    const digits = PERSON.replace(/\D/g, '');
    assert.doesNotMatch(srv.log(), new RegExp(digits.slice(2, 8)), 'the number is not logged');
  });
});

describe('the participation page forms', () => {
  let c, id;
  before(async () => {
    c = await login('deltagare');
    await c.get('/insatser/1/anmalan');
    const r = await c.post('/insatser/1/anmalan', { referred_on: today(), source: 'egen', sex: 'K' });
    assert.equal(r.status, 303);
    id = r.headers.get('location').match(/\/deltagare\/(\d+)/)[1];
  });

  test('a start with several mistakes keeps the answers and lists every error', async () => {
    const r = await c.post(`/deltagare/${id}/start`, {
      date: '2026-02-30', support: 'sjukpenning', extent_sjukpenning: '140', education: 'gymnasial',
    });
    assert.equal(r.status, 422);
    const links = summaryLinks(r.text);
    for (const f of ['date', 'support', 'employment'])
      assert.ok(links.includes(`f-start-${f}`), `summary links ${f}: ${links}`);
    assert.match(r.text, /Datum: Datumet finns inte – ange ett giltigt datum som 2026-02-28\./);
    assertInvalid(r.text, 'f-start-date');
    assertInvalid(r.text, 'f-start-employment');
    assert.match(r.text, /id="f-start-date"[^>]*value="2026-02-30"/);
    assert.match(r.text, /id="start-s-sjukpenning"[^>]*value="sjukpenning" checked/);
    assert.match(r.text, /id="start-e-sjukpenning"[^>]*value="140"/);
    assert.match(r.text, /<option value="gymnasial" selected>/);
    assert.match(r.text, /action="\/deltagare\/\d+\/start" class="edit" novalidate/);
  });

  test('a cancel with a wrong date and no reason shows both', async () => {
    const r = await c.post(`/deltagare/${id}/avbryt`, { date: '31/1', end_reason: '', confirm: 'ja' });
    assert.equal(r.status, 422);
    const links = summaryLinks(r.text);
    assert.deepEqual(links.sort(), ['f-avbryt-date', 'f-avbryt-end_reason']);
    assert.match(r.text, /Skriv datumet som år-månad-dag/);
    assert.match(r.text, /id="f-avbryt-date"[^>]*value="31\/1"/);
  });

  test('an end keeps what was typed', async () => {
    const s = await c.post(`/deltagare/${id}/start`, {
      date: today(), support: 'sjukpenning', employment: 'ovrigt', education: 'gymnasial',
    });
    assert.equal(s.status, 303, s.text.slice(0, 400));
    const r = await c.post(`/deltagare/${id}/avslut`, {
      date: '2026-04-31', end_reason: 'studier', support: 'studiemedel', extent_studiemedel: '50',
    });
    assert.equal(r.status, 422);
    const links = summaryLinks(r.text);
    assert.ok(links.includes('f-avslut-date'), links);
    assert.match(r.text, /giltigt datum som 2026-04-30/);
    assert.match(r.text, /id="f-avslut-end_reason"[^>]*>(?:<option[^>]*>[^<]*<\/option>)*<option value="studier" selected>/);
    assert.match(r.text, /id="avslut-s-studiemedel"[^>]*checked/);
    assert.match(r.text, /id="avslut-e-studiemedel"[^>]*value="50"/);
  });

  test('hours: a wrong month and a wrong number are both shown, and kept', async () => {
    const r = await c.post(`/deltagare/${id}/timmar`, { month: '2026-13', hours: 'tolv' });
    assert.equal(r.status, 422);
    assert.deepEqual(summaryLinks(r.text).sort(), ['f-timmar-hours', 'f-timmar-month']);
    assert.match(r.text, /id="f-timmar-month"[^>]*value="2026-13"/);
    assert.match(r.text, /id="f-timmar-hours"[^>]*value="tolv"/);
  });

  test('consent given later: every mistake beside its field, the number kept, the summary on top', async () => {
    const r = await c.post(`/deltagare/${id}/samtycke`, {
      consent_on: '2026-02-30', consent_form: '', pnr: PERSON, name: '',
    });
    assert.equal(r.status, 422);
    const links = summaryLinks(r.text);
    for (const f of ['consent_on', 'consent_form', 'name'])
      assert.ok(links.includes(`f-samtycke-${f}`), `summary links ${f}: ${links}`);
    for (const f of ['consent_on', 'consent_form', 'name'])
      assertInvalid(r.text, `f-samtycke-${f}`);
    assert.match(r.text, new RegExp(`id="f-samtycke-pnr"[^>]*value="${PERSON}"[^>]*autocomplete="off"`));
    assert.match(r.text, /id="f-samtycke-consent_on"[^>]*value="2026-02-30"/);
    // The summary stands right under the heading, above every form.
    assert.ok(r.text.indexOf('class="error-summary"') < r.text.indexOf('<form method="post" action="/deltagare/'),
      'summary before the first form');
    assert.equal((r.text.match(/class="error-summary"/g) || []).length, 1, 'one summary');
  });

  test('the home kommun form keeps its own ids and a hidden field name', async () => {
    const r = await c.post(`/deltagare/${id}/rattelse`, { field: 'home_area_id', value: '999999' });
    assert.equal(r.status, 422);
    assert.match(r.text, /<input type="hidden" name="field" value="home_area_id">/);
    assert.match(r.text, /<select id="f-hem-value" name="value"/);
    assert.match(r.text, /<input type="hidden" name="field" value="referred_on">/);
  });

  test('a correction keeps the chosen field and the value', async () => {
    const r = await c.post(`/deltagare/${id}/rattelse`, { field: 'start_on', value: '2026-02-30' });
    assert.equal(r.status, 422);
    assert.match(r.text, /<input type="hidden" name="field" value="start_on">/);
    assert.match(r.text, /id="f-rattelse-start_on-value"[^>]*value="2026-02-30"/);
  });
});

describe('the register extract', () => {
  test('keeps the typed number on an error and links it', async () => {
    const c = await login('admin');
    await c.get('/registerutdrag');
    const r = await c.post('/registerutdrag', { pnr: '19870312-2480' });
    assert.equal(r.status, 422);
    assert.deepEqual(summaryLinks(r.text), ['f-pnr']);
    assert.match(r.text, /id="f-pnr"[^>]*value="19870312-2480"/);
  });
});

describe('one-line names', () => {
  test('a member name with a line break or a direction override is refused in the form', async () => {
    const c = await login('admin');
    for (const name of ['Kommun\r\nX', `Kommun ${RLO}X`, 'Kommun\u2066X\u2069']) {
      await c.get('/medlemmar/ny');
      const r = await c.post('/medlemmar/ny', { kind: 'kommun', name, org_number: '' });
      assert.equal(r.status, 422, JSON.stringify(name));
      assert.ok(summaryLinks(r.text).includes('f-name'));
    }
  });

  test('the JSON API refuses them too and names every wrong field', async () => {
    const c = await login('admin');
    await c.get('/');
    const r = await c.request('POST', '/api/v1/members', {
      json: { kind: 'kung', name: `Kommun ${RLO}X`, joined_on: '2026-02-30' },
      headers: { 'X-CSRF-Token': c.csrf },
    });
    assert.equal(r.status, 422, r.text);
    const e = r.json().error;
    assert.equal(e.code, 'invalid');
    assert.ok(e.field && e.message, 'the first field stays for old clients');
    const fields = e.errors.map((x) => x.field).sort();
    assert.deepEqual(fields, ['joined_on', 'kind', 'name']);
    for (const x of e.errors) assert.ok(x.message.length > 5);
  });
});

describe('the code lists', () => {
  test('a label with a line break is refused, kept and linked', async () => {
    const c = await login('admin');
    await c.get('/kodlistor');
    const r = await c.post('/kodlistor', { list: 'support', code: 'lon', label: 'Lön\r\nX', active: '0', confirm: 'ja' });
    assert.equal(r.status, 422);
    assert.deepEqual(summaryLinks(r.text), ['c-support-lon']);
    assert.match(r.text, /id="c-support-lon"[^>]*value="Lön\r?\nX"[^>]*aria-invalid="true"/);
    assert.match(r.text, /aria-describedby="e-c-support-lon"/);
  });
});
