// End-to-end tests of the correction forms on a participation page: the
// user never types a code.  Each correctable field has its own small form
// (works without script) with the control its kind needs: a date field,
// a select of the code list's current labels (a stored retired value still
// shown by its label), Kvinna/Man as radio buttons.  People are synthetic
// (anonymous referrals, no personnummer).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

async function login(name) {
  const c = new Client(srv.base);
  await c.login(name);
  return c;
}

// The <form> whose action is the correction POST and that holds the control id.
function formWith(html, id) {
  const forms = html.match(/<form[\s\S]*?<\/form>/g) || [];
  const f = forms.find((x) => x.includes(`id="${id}"`));
  assert.ok(f, `a form with ${id}`);
  return f;
}

function options(selectHtml) {
  return [...selectHtml.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)]
    .map((m) => ({ code: m[1], selected: !!m[2], label: m[3] }));
}

describe('correcting a participation', () => {
  let c, loc;
  before(async () => {
    c = await login('deltagare');
    await c.get('/insatser/1/anmalan');
    const r = await c.post('/insatser/1/anmalan', { referred_on: today(), source: 'egen', sex: 'K' });
    assert.equal(r.status, 303);
    loc = r.headers.get('location').match(/\/deltagare\/\d+/)[0];
    assert.equal((await c.post(`${loc}/start`, { date: today(), support: 'forsorjningsstod', employment: 'aktivt_arbetssokande' })).status, 303);
    assert.equal((await c.post(`${loc}/avslut`, { date: today(), end_reason: 'flytt' })).status, 303);
  });

  test('offers a control per field and asks for no code', async () => {
    const page = (await c.get(loc)).text;
    assert.doesNotMatch(page, /\(kod\)/);
    assert.doesNotMatch(page, /K eller M/);
    assert.doesNotMatch(page, /en kod/);
    for (const [field, label] of [['referred_on', 'Anmälningsdatum'], ['start_on', 'Startdatum'], ['end_on', 'Slutdatum']]) {
      const f = formWith(page, `f-rattelse-${field}-value`);
      assert.match(f, /action="\/deltagare\/\d+\/rattelse"/);
      assert.match(f, new RegExp(`<input type="hidden" name="field" value="${field}">`));
      assert.match(f, new RegExp(`<label for="f-rattelse-${field}-value">${label}`));
      assert.match(f, new RegExp(`<input type="date"[^>]*id="f-rattelse-${field}-value"[^>]*value="${today()}"|<input type="date" id="f-rattelse-${field}-value"[^>]*value="${today()}"`));
    }
    const reason = formWith(page, 'f-rattelse-end_reason-value');
    assert.match(reason, /<input type="hidden" name="field" value="end_reason">/);
    const opts = options(reason);
    assert.ok(opts.length > 3, 'the end reasons as choices');
    assert.deepEqual(opts.filter((o) => o.selected).map((o) => o.label), ['Flytt']);
    const sex = formWith(page, 'f-rattelse-sex-value');
    assert.match(sex, /<input type="hidden" name="field" value="sex">/);
    assert.match(sex, /<fieldset id="f-rattelse-sex-value"[^>]*><legend>Kön/);
    assert.match(sex, /<input type="radio" id="rattelse-sex-s-K" name="value" value="K" checked><label for="rattelse-sex-s-K">Kvinna<\/label>/);
    assert.match(sex, /<input type="radio" id="rattelse-sex-s-M" name="value" value="M"><label for="rattelse-sex-s-M">Man<\/label>/);
  });

  test('a wrong date keeps what was typed and says so by the field', async () => {
    const r = await c.post(`${loc}/rattelse`, { field: 'start_on', value: '2026-02-30' });
    assert.equal(r.status, 422);
    const f = formWith(r.text, 'f-rattelse-start_on-value');
    assert.match(f, /id="f-rattelse-start_on-value"[^>]*value="2026-02-30"/);
    const summary = r.text.match(/<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/);
    assert.ok(summary, 'an error summary');
    assert.match(summary[1], /href="#f-rattelse-start_on-value"/);
    // The other forms still show the stored values.
    assert.match(formWith(r.text, 'f-rattelse-referred_on-value'), new RegExp(`value="${today()}"`));
  });

  test('a corrected date is refused for what is wrong with it, in its own words', async () => {
    const msg = async (field, value) => {
      const r = await c.post(`${loc}/rattelse`, { field, value });
      assert.equal(r.status, 422, `${field}=${value}`);
      return formWith(r.text, `f-rattelse-${field}-value`);
    };
    const y = Number(today().slice(0, 4));
    // A day that does not exist is named as such, not as out of range.
    const noDay = await msg('end_on', `${y - 1}-02-30`);
    assert.match(noDay, /Slutdatum: Datumet finns inte – ange ett giltigt datum som \d{4}-02-2[89]\./);
    assert.doesNotMatch(noDay, /efter startdatum/);
    assert.match(await msg('end_on', '30/2'), /Slutdatum: Skriv datumet som år-månad-dag/);
    assert.match(await msg('end_on', `${y + 1}-01-01`), /Slutdatum kan inte ligga i framtiden\./);
    // Before the start: the message allows the start day itself.
    assert.match(await msg('end_on', `${y - 1}-01-01`), /Slutdatum ska vara samma dag som eller efter startdatum\./);
    assert.match(await msg('start_on', `${y - 1}-01-01`), /Startdatum ska vara samma dag som eller efter anmälningsdatum och samma dag som eller före slutdatum\./);
    assert.match(await msg('start_on', `${y - 1}-04-31`), /Startdatum: Datumet finns inte/);
    assert.match(await msg('referred_on', `${y - 1}-13-01`), /Anmälningsdatum: Datumet finns inte/);
    assert.match(await msg('referred_on', ''), /Anmälningsdatum måste anges\./);
    // The end on the start day is a valid end: the stored value is kept (303).
    assert.equal((await c.post(`${loc}/rattelse`, { field: 'end_on', value: today() })).status, 303);
  });

  test('a refusal about the field itself stands by the value control', async () => {
    await c.get('/insatser/1/anmalan');
    const q = await c.post('/insatser/1/anmalan', { referred_on: today(), source: 'egen', sex: 'M' });
    const queued = q.headers.get('location').match(/\/deltagare\/\d+/)[0];
    const r = await c.post(`${queued}/rattelse`, { field: 'end_on', value: today() });
    assert.equal(r.status, 422);
    const f = formWith(r.text, 'f-rattelse-end_on-value');
    assert.match(f, /Deltagandet är inte avslutat/);
    assert.match(r.text, /href="#f-rattelse-end_on-value"/);
    // A queued participation is offered no end-date or end-reason form otherwise.
    const page = (await c.get(queued)).text;
    assert.doesNotMatch(page, /f-rattelse-end_on-value|f-rattelse-end_reason-value|f-rattelse-start_on-value/);
  });

  test('sex is corrected by choosing Man', async () => {
    const r = await c.post(`${loc}/rattelse`, { field: 'sex', value: 'M' });
    assert.equal(r.status, 303);
    const sex = formWith((await c.get(loc)).text, 'f-rattelse-sex-value');
    assert.match(sex, /name="value" value="M" checked>/);
    assert.doesNotMatch(sex, /name="value" value="K" checked>/);
  });

  test('a retired end reason is not offered, but a stored one keeps its label', async () => {
    const admin = await login('admin');
    await admin.get('/kodlistor');
    for (const [code, label] of [['flytt', 'Flytt'], ['foraldraledighet', 'Föräldraledighet']])
      assert.equal((await admin.post('/kodlistor', { list: 'end_reason', code, label, active: '0', confirm: 'ja' })).status, 303);
    const opts = options(formWith((await c.get(loc)).text, 'f-rattelse-end_reason-value'));
    assert.ok(!opts.some((o) => o.code === 'foraldraledighet'), 'a retired item is not offered');
    assert.deepEqual(opts.filter((o) => o.selected).map((o) => [o.code, o.label]), [['flytt', 'Flytt']]);
    // Choosing a current reason by its label works.
    const other = opts.find((o) => !o.selected && o.code && o.code !== 'felregistrering');
    assert.equal((await c.post(`${loc}/rattelse`, { field: 'end_reason', value: other.code })).status, 303);
    const after2 = options(formWith((await c.get(loc)).text, 'f-rattelse-end_reason-value'));
    assert.deepEqual(after2.filter((o) => o.selected).map((o) => o.label), [other.label]);
    assert.ok(!after2.some((o) => o.code === 'flytt'), 'once replaced, the retired item is gone');
  });
});
