// End-to-end tests of participant follow-up over HTTP: referral with and
// without consent, start, end, queue and work lists, who may see what,
// withdrawal of consent, and the register extract.  People are synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, finsam, pnr, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

const PNR_A = pnr('19870312248'); // ninth digit 4: a woman
const PNR_B = pnr('19920704137'); // ninth digit 3: a man
const shown = (p) => p; // written YYYYMMDD-NNNC, as the page shows it

async function deltagare() {
  const c = new Client(srv.base);
  await c.login('deltagare');
  return c;
}

async function refer(c, insats, fields) {
  await c.get(`/insatser/${insats}/anmalan`);
  return c.post(`/insatser/${insats}/anmalan`, { referred_on: today(), source: 'fk', home_area_id: '1', ...fields });
}

describe('a participation from referral to end', () => {
  let c, withConsent, anonymous;

  test('a referral with consent stores the person sealed', async () => {
    c = await deltagare();
    const r = await refer(c, 1, { consent_on: today(), consent_form: '2024:1', pnr: PNR_A, name: 'Testa Testsson' });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    withConsent = r.headers.get('location').split('?')[0];
    assert.match(withConsent, /^\/deltagare\/\d+$/);
    const page = await c.get(withConsent);
    assert.match(page.text, /I kö/);
    assert.match(page.text, /Kvinna/);
    assert.match(page.text, /Samtycke<\/dt><dd>Lämnat/);
    assert.doesNotMatch(page.text, /Testa Testsson/, 'no identity without asking');
    assert.doesNotMatch(page.text, new RegExp(PNR_A.slice(2, 8)));
  });

  test('a referral without consent is anonymous', async () => {
    const r = await refer(c, 1, { sex: 'M' });
    assert.equal(r.status, 303);
    anonymous = r.headers.get('location').split('?')[0];
    const page = await c.get(anonymous);
    assert.match(page.text, /Saknas – anonym/);
    assert.doesNotMatch(page.text, /Födelseår/);
  });

  test('a number without consent is refused, kept only in the form', async () => {
    const r = await refer(c, 1, { pnr: PNR_B, name: 'Utan Samtycke' });
    assert.equal(r.status, 422);
    assert.match(r.text, /skriftligt samtycke/);
    // The typed number goes back into the form (autocomplete off) so it
    // need not be typed again; it is never in a URL or a redirect.
    assert.match(r.text, new RegExp(`id="f-pnr"[^>]*value="${PNR_B}"[^>]*autocomplete="off"`));
    assert.equal(r.headers.get('location'), null);
    assert.match(r.text, /value="Utan Samtycke"/, 'other input is kept');
  });

  test('the queue shows both, oldest first, with waiting days', async () => {
    // The newest referrals are last in the queue's usual order: sort newest first to see them.
    const q = await c.get('/ko?insats=1&sortera=anmald&ordning=fallande');
    assert.equal(q.status, 200);
    for (const loc of [withConsent, anonymous]) assert.match(q.text, new RegExp(`href="${loc}"`));
    assert.doesNotMatch(q.text, /Testa Testsson/);
  });

  test('start and end are registered', async () => {
    const id = withConsent.split('/').pop();
    const bad = await c.post(`/deltagare/${id}/start`, { date: today(), support: 'sjukpenning' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /sysselsättning/);
    const s = await c.post(`/deltagare/${id}/start`, {
      date: today(), support: 'sjukpenning', extent_sjukpenning: '100', employment: 'ovrigt',
      education: 'gymnasial', support_time: '1_2',
    });
    assert.equal(s.status, 303);
    const h = await c.post(`/deltagare/${id}/timmar`, { month: today().slice(0, 7), hours: '12,5' });
    assert.equal(h.status, 303);
    // Overflow once stored 0,4 h and a minus sign was dropped: refused now,
    // with the reason, and the month keeps its 12,5.
    for (const [hours, why] of [['1844674407370955162', /mellan 0 och 744/], ['-0,5', /negativt/],
      ['12,55', /högst en decimal/], ['744,1', /mellan 0 och 744/], ['tolv', /siffror/]]) {
      const b = await c.post(`/deltagare/${id}/timmar`, { month: today().slice(0, 7), hours });
      assert.equal(b.status, 422, hours);
      assert.match(b.text, why);
    }
    const withHours = (await c.get(withConsent)).text;
    assert.match(withHours, /class="num">12,5</);
    // The month in words, never "2026-03".
    assert.match(withHours, /<td>(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4}<\/td><td class="num">12,5</);
    const e = await c.post(`/deltagare/${id}/avslut`, {
      date: today(), end_reason: 'arbete', support: 'lon', extent_lon: '100', employment: 'forvarvsarbete',
    });
    assert.equal(e.status, 303);
    const page = await c.get(withConsent);
    assert.match(page.text, /Avslutad/);
    assert.match(page.text, /12,5/);
    assert.match(page.text, /Förvärvsarbete/);
    // The anonymous one starts and ends without end data: a work list item.
    const aid = anonymous.split('/').pop();
    await c.post(`/deltagare/${aid}/start`, { date: today(), support: 'forsorjningsstod', employment: 'aktivt_arbetssokande' });
    await c.post(`/deltagare/${aid}/avslut`, { date: today(), end_reason: 'flytt' });
    const w = await c.get('/arbetslistor');
    assert.match(w.text, new RegExp(`href="${anonymous}"`));
  });

  test('the deltagaransvarig of the insats sees the identity, and the look is logged', async () => {
    const id = withConsent.split('/').pop();
    const r = await c.post(`/deltagare/${id}/identitet`, { reason: 'uppfoljning' });
    assert.equal(r.status, 200);
    assert.match(r.text, /Testa Testsson/);
    assert.match(r.text, new RegExp(shown(PNR_A)));
    const admin = new Client(srv.base);
    await admin.login('admin');
    const log = await admin.get('/logg');
    assert.match(log.text, /Visade identitet<\/td><td[^>]*><a href="\/deltagare\/\d+">Deltagande \d+<\/a><\/td><td[^>]*>[^<]*<\/td><td[^>]*>Skäl: Uppföljning/);
    assert.doesNotMatch(log.text, /Testa Testsson/);
    assert.doesNotMatch(srv.log(), /Testa|19870312/);
  });

  test('others never see it', async () => {
    const id = withConsent.split('/').pop();
    for (const user of ['admin', 'chef', 'insats', 'revisor']) {
      const o = new Client(srv.base);
      await o.login(user);
      const page = await o.get(withConsent);
      assert.equal(page.status, 200, user);
      assert.doesNotMatch(page.text, /Visa identitet|Testa Testsson/, user);
      const r = await o.post(`/deltagare/${id}/identitet`, { reason: 'uppfoljning' });
      assert.equal(r.status, 403, user);
    }
    const board = new Client(srv.base);
    await board.login('styrelse');
    assert.equal((await board.get(withConsent)).status, 403);
    assert.equal((await board.get('/ko')).status, 403);
  });

  test('the register extract shows everything about the person and nothing of others', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/registerutdrag');
    const x = await admin.post('/registerutdrag', { pnr: PNR_A });
    assert.equal(x.status, 200);
    assert.match(x.text, /Testa Testsson/);
    assert.match(x.text, /Steget vidare/);
    assert.match(x.text, /Sjukpenning \(inkl\. rehabiliteringspenning\)/);
    assert.match(x.text, /12,5/);
    assert.match(x.text, /2024:1/);
    const none = await admin.post('/registerutdrag', { pnr: PNR_B });
    assert.match(none.text, /Inga uppgifter finns sparade/);
    const bad = await admin.post('/registerutdrag', { pnr: '19870312-0000' });
    assert.equal(bad.status, 422);
    const cli = JSON.parse(finsam(['extract', srv.db, PNR_A, '--json']));
    assert.equal(cli.namn, 'Testa Testsson');
    assert.equal(cli.deltaganden.length, 1);
  });

  // Review issue 6, items 19-20: the extract handed to the person is a
  // readable Swedish document, on the page and from the command line.
  test('the register extract reads as Swedish, without codes or ISO timestamps', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/registerutdrag');
    const x = await admin.post('/registerutdrag', { pnr: PNR_A });
    assert.equal(x.status, 200);
    const visible = x.text.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, '')
      .replace(/<[^>]*>/g, ' ');
    const cliText = finsam(['extract', srv.db, PNR_A]);
    for (const [where, text] of [['page', visible], ['cli', cliText]]) {
      assert.doesNotMatch(text, /\b(queued|active|ended|start_on|end_on|referred_on|state|fk|raknas_i_statistik|uttag_gjort|anmald_av|forvarvsarbete|sjukpenning)\b/, where);
      assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT/, where);
      assert.doesNotMatch(text, /\d{4}-\d\d-\d\d/, `${where}: dates in Swedish`);
      assert.match(text, new RegExp(`Registerutdrag för ${shown(PNR_A)}`), where);
      assert.match(text, /Deltagande \d+ i Steget vidare/, where);
      for (const label of [/Status:?\s+Avslutad/, /Anmäld av:?\s+Försäkringskassan/, /Kön:?\s+Kvinna/,
        /Räknas i statistiken:?\s+Ja/, /Avslutsorsak:?\s+Arbete/, /Förvärvsarbete/, /Startdatum/,
        /Sjukpenning \(inkl\. rehabiliteringspenning\)/, /12,5/, /2024:1/, /I kö/,
        /\d{1,2} (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec) \d{4} \d\d:\d\d/]) {
        assert.match(text, label, `${where}: ${label}`);
      }
    }
  });

  // Issue 7: the page and the text name who registered the consent and
  // show months in words, never "2026-03".
  test('the register extract names who registered consent and writes months in words', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/registerutdrag');
    const x = await admin.post('/registerutdrag', { pnr: PNR_A });
    assert.equal(x.status, 200);
    const visible = x.text.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]*>/g, ' ');
    const cliText = finsam(['extract', srv.db, PNR_A]);
    for (const [where, text] of [['page', visible], ['cli', cliText]]) {
      assert.match(text, /registrerat av Emil Nyberg/, where);
      assert.match(text, /(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4}/, where);
      assert.doesNotMatch(text, /\b\d{4}-\d\d\b/, `${where}: months in words`);
    }
  });

  // Issue 7: the JSON API hands out the same document as the command line;
  // the number travels in the body; only the administrator gets it.
  test('the register extract API answers the document the command line writes', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/');
    const r = await admin.request('POST', '/api/v1/register-extract', {
      json: { pnr: PNR_A }, headers: { 'X-CSRF-Token': admin.csrf },
    });
    assert.equal(r.status, 200, r.text);
    const cli = JSON.parse(finsam(['extract', srv.db, PNR_A, '--json']));
    assert.deepEqual(r.json(), cli);
    assert.equal(r.json().namn, 'Testa Testsson');
    assert.equal(r.json().deltaganden[0].samtycken[0].blankettversion, '2024:1');
    const bad = await admin.request('POST', '/api/v1/register-extract', {
      json: { pnr: '19870312-0000' }, headers: { 'X-CSRF-Token': admin.csrf },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().error.errors[0].field, 'pnr');
    const c2 = await deltagare();
    await c2.get('/');
    const denied = await c2.request('POST', '/api/v1/register-extract', {
      json: { pnr: PNR_A }, headers: { 'X-CSRF-Token': c2.csrf },
    });
    assert.equal(denied.status, 403);
  });

  test('withdrawn consent erases the identity while the figures stay', async () => {
    const id = withConsent.split('/').pop();
    // Irreversible: a confirmation page says what is erased, and the POST
    // needs the explicit confirmation.
    const confirm = await c.get(`/deltagare/${id}/aterkalla`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /class="warning"/);
    assert.match(confirm.text, /går inte att ångra/);
    const unconfirmed = await c.post(`/deltagare/${id}/aterkalla`, { date: today() });
    assert.equal(unconfirmed.status, 422);
    assert.match(unconfirmed.text, /Kryssa i att du förstår/);
    assert.match((await c.get(withConsent)).text, /Visa identitet/, 'nothing erased yet');
    const r = await c.post(`/deltagare/${id}/aterkalla`, { date: today(), confirm: 'ja' });
    assert.equal(r.status, 303);
    const page = await c.get(withConsent);
    assert.match(page.text, /Återkallat/);
    assert.match(page.text, /Avslutad/);
    assert.match(page.text, /Kvinna/);
    assert.doesNotMatch(page.text, /Visa identitet/);
    const admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/registerutdrag');
    const x = await admin.post('/registerutdrag', { pnr: PNR_A });
    assert.match(x.text, /Inga uppgifter finns sparade/);
  });
});

// Review issue 6, item 1: a deltagaransvarig of insats A types a number
// that insats B (where they are not staffed) already holds.
describe('a personnummer never opens another insats', () => {
  const PNR_X = pnr('19660512345');
  let a, b, admin, inA, inB;

  test('staff of B registers the person with consent', async () => {
    admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/anvandare');
    const u = await admin.post('/anvandare', {
      username: 'berit.b', display_name: 'Berit Bemannad', role: 'deltagaransvarig', password: 'ett-langt-losenord',
    });
    assert.equal(u.status, 303, u.text.slice(0, 300));
    const chef = new Client(srv.base);
    await chef.login('chef');
    const insats = await chef.get('/insatser/6');
    const uid = insats.text.match(/<option value="(\d+)">Berit Bemannad/)[1];
    const s = await chef.post('/insatser/6/bemanning', { user_id: uid, role: 'deltagaransvarig' });
    assert.equal(s.status, 303);
    b = new Client(srv.base);
    await b.login('berit.b', 'ett-langt-losenord');
    const r = await refer(b, 6, { consent_on: today(), consent_form: '2024:1', pnr: PNR_X, name: 'Bodil Bnamn' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    inB = r.headers.get('location').split('?')[0];
  });

  test('staff of A typing the same number sees only what they typed', async () => {
    a = await deltagare();
    const r = await refer(a, 1, { consent_on: today(), consent_form: '2024:1', pnr: PNR_X, name: 'Agda Anamn' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    inA = r.headers.get('location').split('?')[0];
    const shownA = await a.post(`${inA}/identitet`, { reason: 'kontakt' });
    assert.equal(shownA.status, 200);
    assert.match(shownA.text, /Agda Anamn/, 'the typed name is kept');
    assert.doesNotMatch(shownA.text, /Bodil/, 'nothing of insats B');
  });

  test('protection in A erases A, leaves B, and asks the administrator', async () => {
    const page = await a.get(`${inA}/skyddad`);
    assert.equal(page.status, 200);
    assert.match(page.text, /class="warning"/);
    const none = await a.post(`${inA}/skyddad`, {});
    assert.equal(none.status, 422, 'not without the explicit confirmation');
    const r = await a.post(`${inA}/skyddad`, { confirm: 'ja' });
    assert.equal(r.status, 303);
    const after = await a.get(inA);
    assert.match(after.text, /Skyddade personuppgifter/);
    assert.doesNotMatch(after.text, /Visa identitet/);
    const shownB = await b.post(`${inB}/identitet`, { reason: 'kontakt' });
    assert.equal(shownB.status, 200);
    assert.match(shownB.text, /Bodil Bnamn/, 'B untouched');
    // Only the administrator sees the work item.
    assert.equal((await a.get('/skyddade-personuppgifter')).status, 403);
    // The administrator's start page puts the waiting request first.
    assert.match((await admin.get('/')).text, /1 begäran om skyddade personuppgifter väntar/);
    const list = await admin.get('/skyddade-personuppgifter');
    assert.equal(list.status, 200);
    const req = list.text.match(/href="(\/skyddade-personuppgifter\/\d+)"/)[1];
    assert.match(list.text, new RegExp(`href="${inA}"`));
    const confirm = await admin.get(req);
    assert.match(confirm.text, /class="warning"/);
    assert.match(confirm.text, /1 deltagande /);
    assert.match(confirm.text, /Deltagandet finns kvar anonymt/, 'one participation, singular');
    assert.equal((await admin.post(req, {})).status, 422);
    assert.equal((await admin.post(req, { confirm: 'ja' })).status, 303);
    assert.match((await admin.get('/skyddade-personuppgifter')).text, /Inga begäranden väntar/);
    assert.doesNotMatch((await admin.get('/')).text, /väntar/);
    assert.doesNotMatch((await b.get(inB)).text, /Visa identitet/, 'now applied in B too');
    const x = JSON.parse(finsam(['extract', srv.db, PNR_X, '--json']));
    assert.equal(x.deltaganden.length, 0);
  });
});

// Review issue 6, item 22: consent given after an anonymous referral.
describe('consent given later', () => {
  test('is recorded on the participation page and takes it off the work list', async () => {
    const c = await deltagare();
    const r = await refer(c, 1, { sex: 'K' });
    assert.equal(r.status, 303);
    const loc = r.headers.get('location').split('?')[0];
    const page = await c.get(loc);
    assert.match(page.text, /Registrera samtycke/);
    const bad = await c.post(`${loc}/samtycke`, { consent_on: today(), consent_form: '', pnr: '', name: 'Sen Samtyckare' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /value="Sen Samtyckare"/, 'what was typed is kept');
    const ok = await c.post(`${loc}/samtycke`, {
      consent_on: today(), consent_form: '2024:1', pnr: pnr('19580101234'), name: 'Sen Samtyckare',
    });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    const after = await c.get(loc);
    assert.match(after.text, /Samtycke<\/dt><dd>Lämnat/);
    assert.doesNotMatch(after.text, /Registrera samtycke/);
    const shownId = await c.post(`${loc}/identitet`, { reason: 'kontakt' });
    assert.match(shownId.text, /Sen Samtyckare/);
    const lists = await c.get('/arbetslistor');
    assert.doesNotMatch(lists.text, new RegExp(`href="${loc}"`));
  });
});

describe('who may register where', () => {
  test('a deltagaransvarig cannot register in an insats they do not staff', async () => {
    const c = await deltagare();
    // The demo deltagaransvarig does not work in Cresco (insats 6).
    const page = await c.get('/insatser/6');
    assert.doesNotMatch(page.text, /Ny anmälan/);
    await c.get('/insatser/1/anmalan'); // for a CSRF token
    const r = await c.post('/insatser/6/anmalan', { referred_on: today(), source: 'egen', sex: 'K' });
    assert.equal(r.status, 403);
    // The typed address is refused before the form is filled in, with the
    // same page; a half-filled form sent anyway is refused too, not shown again.
    const form = await c.get('/insatser/6/anmalan');
    assert.equal(form.status, 403);
    assert.doesNotMatch(form.text, /Registrera anmälan|form_token/);
    assert.equal(form.text.match(/<h1>[^<]*<\/h1>/)[0], r.text.match(/<h1>[^<]*<\/h1>/)[0]);
    const half = await c.post('/insatser/6/anmalan', { referred_on: '', source: '', sex: '' });
    assert.equal(half.status, 403);
    assert.doesNotMatch(half.text, /Registrera anmälan/);
    // Where they do work, the form is there.
    assert.match((await c.get('/insatser/1/anmalan')).text, /Registrera anmälan/);
  });

  test('a deltagaransvarig is denied identities in another insats', async () => {
    const c = await deltagare();
    const list = await c.get('/insatser/6/deltagare');
    const other = list.text.match(/href="(\/deltagare\/\d+)"/)[1];
    await c.get('/insatser/1/anmalan');
    const r = await c.post(`${other}/identitet`, { reason: 'kontakt' });
    assert.equal(r.status, 403);
  });

  test('roles that do not register are refused the forms', async () => {
    for (const user of ['admin', 'chef', 'insats', 'revisor']) {
      const o = new Client(srv.base);
      await o.login(user);
      assert.equal((await o.get('/insatser/1/anmalan')).status, 403, user);
    }
  });

  test('a volume insats takes no participants', async () => {
    const chef = new Client(srv.base);
    await chef.login('chef');
    const page = await chef.get('/insatser/8');
    assert.match(page.text, /Bara antal/);
    assert.doesNotMatch(page.text, /href="\/insatser\/8\/deltagare"/);
  });
});

describe('import from a spreadsheet', () => {
  const header = 'Insats;Anmäld;Anmäld av;Kön;Hemkommun;Startdatum;Försörjning före;Sysselsättning före\n';

  test('a valid file is imported whole', async () => {
    const c = await deltagare();
    await c.get('/import');
    const r = await c.upload('/import', { csrf: c.csrf }, 'file', 'deltagare.csv',
      header + `Steget vidare;${today()};FK;K;Ekeby;${today()};Sjukpenning (inkl. rehabiliteringspenning);Övrigt\n` +
      `Unga på väg;${today()};egen;man;;;;\n`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /Importerade 2 deltaganden \(1 start, 0 avslut\)/);
  });

  test('a file with errors imports nothing and lists them by line and column', async () => {
    const c = await deltagare();
    await c.get('/import');
    const before = (await c.get('/insatser/1/deltagare')).text.match(/href="\/deltagare\/\d+"/g).length;
    const r = await c.upload('/import', { csrf: c.csrf }, 'file', 'fel.csv',
      header + `Steget vidare;${today()};FK;K;;;;\n` +
      `Steget vidare;2026-02-30;FK;K;;;;\n` +
      `Cresco Åsbygden;${today()};FK;K;;;;\n`);
    assert.equal(r.status, 422);
    assert.match(r.text, /Inget importerades/);
    assert.match(r.text, /<tr><td[^>]*>3<\/td><td[^>]*>Anmäld<\/td>/);
    assert.match(r.text, /<tr><td[^>]*>4<\/td><td[^>]*>Insats<\/td><td[^>]*>Du får inte registrera deltagare i den insatsen/);
    const after = (await c.get('/insatser/1/deltagare')).text.match(/href="\/deltagare\/\d+"/g).length;
    assert.equal(after, before, 'nothing written');
  });

  test('a file saved as UTF-16 is refused with the advice to save it as UTF-8', async () => {
    const c = await deltagare();
    await c.get('/import');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(header + `Steget vidare;${today()};FK;K;;;;\n`, 'utf16le')]);
    const r = await c.upload('/import', { csrf: c.csrf }, 'file', 'unicode.csv', utf16);
    assert.equal(r.status, 422);
    assert.match(r.text, /sparad som UTF-16\. Spara kalkylarket som CSV i UTF-8/);
  });

  test('the page says how many errors there are when more than are shown', async () => {
    const c = await deltagare();
    await c.get('/import');
    const r = await c.upload('/import', { csrf: c.csrf }, 'file', 'fel.csv',
      header + `Steget vidare;${today()};Grannen;K;;;;\n`.repeat(230));
    assert.equal(r.status, 422);
    assert.match(r.text, /Filen har 230 fel\. De första 200 visas/);
    assert.equal(r.text.match(/<tr><td[^>]*>\d+<\/td><td[^>]*>Anmäld av<\/td>/g).length, 200);
  });

  test('an upload cut before its closing boundary imports nothing and says so', async () => {
    const c = await deltagare();
    await c.get('/import');
    // The newest participation in the insats (the list shows newest first).
    const counts = async () => Math.max(...[...(await c.get('/insatser/1/deltagare')).text.matchAll(/href="\/deltagare\/(\d+)"/g)].map((m) => Number(m[1])));
    const before = await counts();
    // Four good rows; the body stops inside the last one, without the
    // closing "--boundary--", as when a connection drops mid-upload.
    const rows = [1, 2, 3, 4].map(() => `Steget vidare;${today()};FK;K;;;;\n`).join('');
    const b = 'finsamtestgrans';
    const body = `--${b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${c.csrf}\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="file"; filename="avbruten.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${header}${rows}`.slice(0, -12);
    const r = await c.request('POST', '/import', { body, headers: { 'Content-Type': `multipart/form-data; boundary=${b}` } });
    assert.equal(r.status, 400, r.text.slice(0, 300));
    assert.match(r.text, /Importera deltagare/, 'on the import page');
    assert.match(r.text, /Filen kom inte fram hel/);
    assert.match(r.text, /Inget importerades/);
    assert.equal(await counts(), before, 'nothing written');
    // The same file sent whole is imported.
    const whole = await c.upload('/import', { csrf: c.csrf }, 'file', 'hel.csv', header + rows);
    assert.match(whole.text, /Importerade 4 deltaganden/);
    assert.notEqual(await counts(), before);
  });

  test('a cut multipart body to an ordinary form is refused', async () => {
    const c = new Client(srv.base);
    await c.login('chef');
    await c.get('/medlemmar/ny');
    const b = 'finsamtestgrans';
    const body = `--${b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${c.csrf}\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nkommun\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nAvbrutna kommunen med långt namn`;
    const r = await c.request('POST', '/medlemmar/ny', { body, headers: { 'Content-Type': `multipart/form-data; boundary=${b}` } });
    assert.equal(r.status, 400);
    assert.match(r.text, /kom inte fram helt/);
    assert.doesNotMatch((await c.get('/medlemmar')).text, /Avbrutna kommunen/);
  });

  test('an upload without its CSRF token is refused', async () => {
    const c = await deltagare();
    const r = await c.upload('/import', {}, 'file', 'x.csv', header);
    assert.equal(r.status, 403);
  });
});

describe('code lists as data', () => {
  test('the administrator relabels and retires items without a new build', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    const page = await admin.get('/kodlistor');
    assert.equal(page.status, 200);
    const r = await admin.post('/kodlistor', { list: 'referral_source', code: 'egen', label: 'Egen anmälan (självanmälan)', active: '1' });
    assert.equal(r.status, 303);
    const retire = await admin.post('/kodlistor', { list: 'end_reason', code: 'foraldraledighet', label: 'Föräldraledighet', active: '0', confirm: 'ja' });
    assert.equal(retire.status, 303);
    const empty = await admin.post('/kodlistor', { list: 'end_reason', code: 'flytt', label: ' ', active: '1' });
    assert.equal(empty.status, 422);
    // Only 1 and 0: "ja" once retired the item.
    for (const active of ['ja', '2', '']) {
      const odd = await admin.post('/kodlistor', { list: 'end_reason', code: 'flytt', label: 'Flytt', active });
      assert.equal(odd.status, 422, active);
      assert.match(odd.text, /Välj I bruk eller Ur bruk/);
    }
    const none = await admin.post('/kodlistor', { list: 'end_reason', code: 'flytt', label: 'Flytt' });
    assert.equal(none.status, 422);
    assert.match((await admin.get('/kodlistor')).text, /"visually-hidden">flytt<\/span><\/button><\/form><\/td><td[^>]*>I bruk</, 'still in use');
    const c = await deltagare();
    const form = await c.get('/insatser/1/anmalan');
    assert.match(form.text, /Egen anmälan \(självanmälan\)/);
    const codes = await c.get('/api/v1/codes');
    assert.equal(codes.json().end_reason.some((x) => x.code === 'foraldraledighet'), false);
    const log = await admin.get('/logg');
    assert.match(log.text, /Tog bort ur bruk<\/td><td[^>]*>Kodlista<\/td><td[^>]*>[^<]*<\/td><td[^>]*>Post ”Föräldraledighet”/);
    // Put it back for the other tests.
    await admin.post('/kodlistor', { list: 'end_reason', code: 'foraldraledighet', label: 'Föräldraledighet', active: '1' });
  });

  test('nobody else may edit them', async () => {
    for (const user of ['chef', 'deltagare', 'revisor']) {
      const o = new Client(srv.base);
      await o.login(user);
      assert.equal((await o.get('/kodlistor')).status, 403, user);
    }
  });
});

describe('insatser', () => {
  test('pages show dates in Swedish words, never ISO dates', async () => {
    const chef = new Client(srv.base);
    await chef.login('chef');
    const list = await chef.get('/insatser/1/deltagare');
    const one = list.text.match(/href="(\/deltagare\/\d+)"/);
    assert.ok(one, 'a participation in the list');
    for (const path of ['/insatser', '/insatser/1', '/medlemmar/1', '/organ/1', '/insatser/1/deltagare',
      '/ko', '/arbetslistor', one[1]]) {
      const page = await chef.get(path);
      assert.equal(page.status, 200, path);
      // Text between tags, hints ("som 2026-01-31") left out.
      const text = page.text.replace(/<p class="hint"[^>]*>[^<]*<\/p>/g, '');
      assert.doesNotMatch(text, />[^<>]*\b\d{4}-\d{2}-\d{2}\b[^<>]*</, path);
    }
  });

  test('a volume insats records counts by sex per period', async () => {
    const chef = new Client(srv.base);
    await chef.login('chef');
    await chef.get('/insatser/8');
    const r = await chef.post('/insatser/8/antal', { period_start: '2026-07-01', period_end: '2026-09-30', women: '31', men: '17' });
    assert.equal(r.status, 303);
    const page = await chef.get('/insatser/8');
    // The period in Swedish words, never as ISO dates.
    assert.match(page.text, /<td>1 jul 2026 – 30 sep 2026<\/td><td class="num">31<\/td><td class="num">17<\/td><td class="num">48/);
    assert.doesNotMatch(page.text, /<td>2026-07-01/);
    const refused = await chef.post('/insatser/1/antal', { period_start: '2026-07-01', period_end: '2026-09-30', women: '1', men: '1' });
    assert.equal(refused.status, 422);
    assert.match(refused.text, /bara för insatser som följs med antal/);
  });

  test('orientation cannot change after creation, with a reason', async () => {
    const chef = new Client(srv.base);
    await chef.login('chef');
    await chef.get('/insatser/ny');
    const r = await chef.post('/insatser/ny', {
      name: 'Prövning', orientation: 'individ', method: 'person', esf: '0', start_on: today(), target_group: 'unga_vuxna',
    });
    assert.equal(r.status, 303);
    const id = r.headers.get('location').split('?')[0].split('/').pop();
    await chef.get(`/insatser/${id}/redigera`);
    const ch = await chef.post(`/insatser/${id}/redigera`, { name: 'Prövning', orientation: 'struktur', method: 'volym', esf: '0', start_on: today() });
    assert.equal(ch.status, 422);
    assert.match(ch.text, /går inte att ändra när insatsen väl finns/);
    // A negative outcome or planned count was silently dropped before.
    for (const [field, value, why] of [['outcome_cost', '-5', /negativt/], ['planned', '-20', /negativt/],
      ['budget_cost', '99999999999', /mellan 0 och 1 000 000 000/]]) {
      const b = await chef.post(`/insatser/${id}/ar`, { year: '2026', planned: '20', budget_cost: '1500000', [field]: value });
      assert.equal(b.status, 422, field);
      assert.match(b.text, why);
    }
    const y = await chef.post(`/insatser/${id}/ar`, { year: '2026', planned: '20', budget_cost: '1500000' });
    assert.equal(y.status, 303);
    const page = await chef.get(`/insatser/${id}`);
    assert.match(page.text, /1\u00a0500\u00a0000\u00a0kr/);
    assert.match(page.text, /Unga vuxna/);
  });
});

describe('referring unit and home kommun', () => {
  test('the unit is kept, shown and in the API; the home kommun is corrected with history', async () => {
    const c = await deltagare();
    const r = await refer(c, 3, { source: 'kommun', source_member_id: '5', source_unit: 'Socialtjänsten', sex: 'K' });
    assert.equal(r.status, 303);
    const loc = r.headers.get('location').split('?')[0];
    const id = loc.split('/').pop();
    const page = await c.get(loc);
    assert.match(page.text, /Socialtjänsten/);
    const api = await c.get(`/api/v1/participations/${id}`);
    assert.equal(api.json().source_unit, 'Socialtjänsten');
    const fix = await c.post(`${loc}/rattelse`, { field: 'home_area_id', value: '3' });
    assert.equal(fix.status, 303);
    const after = await c.get(loc);
    assert.match(after.text, /<dt>Hemkommun<\/dt><dd>Granås/);
    assert.match(after.text, /<td[^>]*>Hemkommun<\/td><td[^>]*>Björkvik<\/td><td[^>]*>Granås<\/td>/);
    const bad = await c.post(`${loc}/rattelse`, { field: 'home_area_id', value: '7' }); // a stadsdel
    assert.equal(bad.status, 422);
  });
});

describe('numbers people type', () => {
  test('a population year is parsed with bounds, never cast down', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    await admin.get('/medlemmar/5');
    // 4294969321 is 2^32 + 2025: once stored as the year 2025.
    const bad = await admin.post('/medlemmar/5/folkmangd', { year: '4294969321', population: '100' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /mellan 1990 och 2100/);
    const neg = await admin.post('/medlemmar/5/folkmangd', { year: '2025', population: '-1' });
    assert.equal(neg.status, 422);
    assert.match(neg.text, /negativt/);
    const page = await admin.get('/medlemmar/5');
    assert.doesNotMatch(page.text, /<td[^>]*>100<\/td>/);
    const ok = await admin.post('/medlemmar/5/folkmangd', { year: '2025', population: '12 500' });
    assert.equal(ok.status, 303);
  });
});
