// End-to-end tests of the words users read: history and audit log show
// Swedish labels, names and local time, never internal codes or ISO
// timestamps.  People are synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
// "23 nov 2026 12:49"
const SV_TIME = /\d{1,2} (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec) \d{4} \d\d:\d\d/;

function section(html, heading) {
  const i = html.indexOf(`<h2>${heading}</h2>`);
  assert.ok(i >= 0, `no section ${heading}`);
  const j = html.indexOf('</table>', i);
  return html.slice(i, j);
}

async function as(user) {
  const c = new Client(srv.base);
  await c.login(user);
  return c;
}

describe('history and audit log in words', () => {
  let loc;

  test('a participation\'s history names fields, states, people and local times', async () => {
    const c = await as('deltagare');
    await c.get('/insatser/1/anmalan');
    const r = await c.post('/insatser/1/anmalan', { referred_on: today(), source: 'fk', home_area_id: '1', sex: 'K' });
    assert.equal(r.status, 303);
    loc = r.headers.get('location').split('?')[0];
    const id = loc.split('/').pop();
    const s = await c.post(`${loc}/start`, { date: today(), support: 'forsorjningsstod', employment: 'aktivt_arbetssokande' });
    assert.equal(s.status, 303);
    const fix = await c.post(`${loc}/rattelse`, { field: 'sex', value: 'M' });
    assert.equal(fix.status, 303);
    const page = await c.get(loc);
    const h = section(page.text, 'Historik');
    for (const word of ['Status', 'Startdatum', 'I kö', 'Pågående', 'Kön', 'Kvinna', 'Man']) assert.match(h, new RegExp(`<td[^>]*>${word}</td>`), word);
    assert.match(h, SV_TIME);
    assert.doesNotMatch(h, ISO_TIME);
    assert.doesNotMatch(h, /\b(queued|active|start_on|state|sex|cli)\b/);
    assert.doesNotMatch(h, />\d{4}-\d\d-\d\d</, 'dates are written out');
    const [, who] = await c.get('/konto').then((k) => k.text.match(/<dt>Namn<\/dt><dd>([^<]+)</));
    assert.match(h, new RegExp(`<td[^>]*>${who}</td>`), 'the display name of who did it');
    assert.ok(id);
  });

  test('the demo\'s history, written from the command line, says so', async () => {
    const c = await as('deltagare');
    const page = await c.get('/deltagare/1');
    const h = section(page.text, 'Historik');
    assert.match(h, /<td[^>]*>Kommandoraden<\/td>/);
    assert.doesNotMatch(h, /\bcli\b/);
    assert.doesNotMatch(h, ISO_TIME);
  });

  test('the audit log names actions, objects and people in local time', async () => {
    const admin = await as('admin');
    const log = await admin.get('/logg');
    assert.equal(log.status, 200);
    const body = log.text.slice(log.text.indexOf('<tbody>'));
    assert.match(body, /<td[^>]*>Inloggning<\/td>/);
    assert.match(body, /<td[^>]*>Kommandoraden<\/td>/);
    assert.match(body, /<a href="\/deltagare\/\d+">Deltagande \d+<\/a>/);
    assert.match(body, /<td[^>]*>Registrerade start<\/td>/);
    assert.match(body, /<td[^>]*>Rättade<\/td><td[^>]*><a href="\/deltagare\/\d+">Deltagande \d+<\/a><\/td><td[^>]*>[^<]*<\/td><td[^>]*>Kön<\/td>/);
    assert.match(body, SV_TIME);
    assert.doesNotMatch(body, ISO_TIME);
    assert.doesNotMatch(body, /<td[^>]*>(login|view_identity|create|start|correct|cli|system)<\/td>/);
    assert.doesNotMatch(body, /\b(participation|user|intervention|member) \d+/);
    assert.doesNotMatch(body, /Tid \(UTC\)/);
  });

  test('API keys and accounts show local dates', async () => {
    const admin = await as('admin');
    const u = await admin.get('/anvandare');
    assert.doesNotMatch(u.text, ISO_TIME);
    assert.match(u.text, /<td[^>]*>\d{1,2} (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec) \d{4}<\/td>/);
    await admin.post('/api-nycklar', { name: 'ekonomi', role: 'revisor' });
    const t = await admin.get('/api-nycklar');
    assert.doesNotMatch(t.text, ISO_TIME);
    assert.match(t.text, SV_TIME);
  });
});

describe('after a save the next page says what happened', () => {
  // Follows the redirect of a successful POST and returns the notice.
  async function saved(c, path, form) {
    const r = await c.post(path, form);
    assert.equal(r.status, 303, `${path}: ${r.text.slice(0, 300)}`);
    const loc = r.headers.get('location');
    assert.match(loc, /[?&]klart=[a-z]+$/, 'only a short code in the URL');
    const next = await c.get(loc);
    const m = next.text.match(/<div class="notice" role="status"><p>([^<]+)<\/p><\/div>/);
    assert.ok(m, `${path}: no confirmation on ${loc}`);
    return { loc, message: m[1] };
  }

  test('participant saves', async () => {
    const c = await as('deltagare');
    await c.get('/insatser/1/anmalan');
    const ref = await saved(c, '/insatser/1/anmalan', { referred_on: today(), source: 'fk', home_area_id: '1', sex: 'K' });
    assert.equal(ref.message, 'Anmälan är registrerad.');
    const loc = ref.loc.split('?')[0];
    assert.equal((await saved(c, `${loc}/start`, { date: today(), support: 'forsorjningsstod', employment: 'aktivt_arbetssokande' })).message, 'Starten är registrerad.');
    assert.equal((await saved(c, `${loc}/timmar`, { month: today().slice(0, 7), hours: '3' })).message, 'Deltagartimmarna är sparade.');
    assert.equal((await saved(c, `${loc}/rattelse`, { field: 'sex', value: 'M' })).message, 'Rättelsen är sparad.');
    assert.equal((await saved(c, `${loc}/avslut`, { date: today(), end_reason: 'flytt' })).message, 'Avslutet är registrerat.');
  });

  test('insats, organisation, accounts and code lists', async () => {
    const chef = await as('chef');
    await chef.get('/insatser/1');
    assert.equal((await saved(chef, '/insatser/1/ar', { year: '2027', planned: '20', budget_cost: '100000' })).message, 'Årets plan och budget är sparade.');
    const admin = await as('admin');
    await admin.get('/anvandare');
    assert.equal((await saved(admin, '/anvandare', { username: 'ny.kollega', display_name: 'Ny Kollega', role: 'revisor', password: 'ett-langt-losen' })).message, 'Kontot är skapat.');
    await admin.get('/kodlistor');
    assert.equal((await saved(admin, '/kodlistor', { list: 'end_reason', code: 'flytt', label: 'Flytt', active: '1' })).message, 'Kodlistan är sparad.');
    const me = await as('revisor');
    const out = await me.post('/logga-ut', {});
    assert.equal(out.status, 303);
    const login = await me.get(out.headers.get('location'));
    assert.match(login.text, /role="status"><p>Du är utloggad\.<\/p>/);
  });

  test('a code shows only on the page its save leads to', async () => {
    const c = await as('deltagare');
    await c.get('/insatser/1/anmalan');
    const r = await c.post('/insatser/1/anmalan', { referred_on: today(), source: 'fk', home_area_id: '1', sex: 'M' });
    const loc = r.headers.get('location').split('?')[0];
    for (const code of ['losenord', 'konto', 'nyckel', 'kodlista', 'utloggad', 'insats', 'sparat'])
      assert.doesNotMatch((await c.get(`${loc}?klart=${code}`)).text, /role="status"/, `${code} on ${loc}`);
    assert.match((await c.get(`${loc}?klart=start`)).text, /role="status"><p>Starten är registrerad\.<\/p>/);
    for (const path of ['/', '/ko', '/insatser/1', '/konto'])
      assert.doesNotMatch((await c.get(`${path}?klart=anmalan`)).text, /role="status"/, `anmalan on ${path}`);
    assert.match((await c.get('/konto?klart=losenord')).text, /role="status"><p>Lösenordet är bytt\.<\/p>/);
    const admin = await as('admin');
    assert.match((await admin.get('/anvandare?klart=losenord')).text, /Lösenordet är bytt\./);
    assert.doesNotMatch((await admin.get('/api-nycklar?klart=losenord')).text, /role="status"/);
    assert.match((await admin.get('/medlemmar/1?klart=sparat')).text, /role="status"><p>Ändringarna är sparade\.<\/p>/);
  });

  test('an unknown code says nothing, and a page without one has no notice', async () => {
    const c = await as('deltagare');
    assert.doesNotMatch((await c.get('/ko?klart=%3Cb%3E')).text, /role="status"/);
    assert.doesNotMatch((await c.get('/ko')).text, /class="notice"/);
  });
});

describe('page titles name the object', () => {
  const title = (html) => html.match(/<title>([^<]*)<\/title>/)[1];
  const h1 = (html) => html.match(/<h1>([^<]*)<\/h1>/)[1];

  test('participation, insats and edit pages', async () => {
    const chef = await as('chef');
    assert.equal(title((await chef.get('/deltagare/1')).text), 'Deltagande 1 – finsam');
    const insats = await chef.get('/insatser/1');
    const name = h1(insats.text);
    assert.equal(title(insats.text), `Insats ${name} – finsam`);
    assert.equal(title((await chef.get('/insatser/1/redigera')).text), `Ändra insats ${name} – finsam`);
    const admin = await as('admin');
    const member = await admin.get('/medlemmar/1');
    const mname = h1(member.text);
    assert.equal(title((await admin.get('/medlemmar/1/redigera')).text), `Ändra medlem ${mname} – finsam`);
    // A failed save keeps the stored name in the title, not what was typed.
    const bad = await admin.post('/medlemmar/1/redigera', { name: '' });
    assert.equal(bad.status, 422);
    assert.equal(title(bad.text), `Ändra medlem ${mname} – finsam`);
  });
});

describe('the start page shows each role its own work', () => {
  const main = (html) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));

  test('a deltagaransvarig sees their insatser with queue links and what to do', async () => {
    const c = await as('deltagare');
    const m = main((await c.get('/')).text);
    assert.match(m, /<h2>Mina insatser<\/h2>/);
    assert.match(m, /<a href="\/ko\?insats=\d+">\d+<\/a>/);
    assert.match(m, /<h2>Att göra<\/h2>/);
    assert.match(m, /<a href="\/arbetslistor#samtycke">\d+ deltaganden? saknar samtycke<\/a>/);
    assert.doesNotMatch(m, /Förbundets organisation/);
    assert.doesNotMatch(m, /&lt;/, 'no escaped markup');
    // Only the insatser they are staffed on: the chef sees more.
    const chef = main((await (await as('chef')).get('/')).text);
    const count = (s) => (s.match(/<a href="\/insatser\/\d+">/g) || []).length;
    assert.ok(count(m) > 0 && count(m) < count(chef), `${count(m)} < ${count(chef)}`);
  });

  test('the administrator sees accounts and the log; the board the organisation', async () => {
    const a = main((await (await as('admin')).get('/')).text);
    assert.match(a, /<a href="\/anvandare">\d+ konton<\/a>/);
    assert.match(a, /<a href="\/logg">Granskningslogg<\/a>/);
    const s = main((await (await as('styrelse')).get('/')).text);
    assert.match(s, /<a href="\/medlemmar">\d+ medlemmar<\/a>/);
    assert.doesNotMatch(s, /Mina insatser|Att göra/);
  });

  test('an account on no insats is told what to do next', async () => {
    const admin = await as('admin');
    await admin.get('/anvandare');
    await admin.post('/anvandare', { username: 'ny.handlaggare', display_name: 'Ny Handläggare', role: 'deltagaransvarig', password: 'ett-langt-losen' });
    const c = new Client(srv.base);
    await c.login('ny.handlaggare', 'ett-langt-losen');
    const m = main((await c.get('/')).text);
    assert.match(m, /Du är inte knuten till någon insats än\. Be förbundschefen lägga till dig under Bemanning/);
  });
});

describe('empty lists say so and what to do next', () => {
  test('a new insats without participants, and a queue filter that finds nobody', async () => {
    const chef = await as('chef');
    await chef.get('/insatser/ny');
    const r = await chef.post('/insatser/ny', { name: 'Tom insats', orientation: 'individ', method: 'person', esf: '0', start_on: today(), target_group: 'unga_vuxna' });
    assert.equal(r.status, 303);
    const id = r.headers.get('location').split('?')[0].split('/').pop();
    const list = await chef.get(`/insatser/${id}/deltagare`);
    // The förbundschef cannot register, so is not sent to a button that is not there.
    assert.match(list.text, /Insatsen har inga deltaganden än\. Insatsens deltagaransvariga registrerar nya anmälningar\./);
    assert.doesNotMatch(list.text, /Ny anmälan/);
    // A volume insats is followed up by counts, never per participant.
    const vol = await chef.post('/insatser/ny', { name: 'Tom konferens', orientation: 'struktur', method: 'volym', esf: '0', start_on: today() });
    assert.equal(vol.status, 303, vol.text);
    const vid = vol.headers.get('location').split('?')[0].split('/').pop();
    assert.match((await chef.get(`/insatser/${vid}/deltagare`)).text, /följs upp med antal per period, inte per deltagare/);
    const q = await chef.get(`/ko?insats=${id}`);
    assert.match(q.text, /Ingen står i kö med det urvalet just nu\./);
    assert.doesNotMatch(q.text, /Listan är tom/);
  });
});
