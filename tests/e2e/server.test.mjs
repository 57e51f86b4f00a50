// End-to-end tests: the real binary on a loopback port, driven over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, finsam, orgnr, startServer } from './lib.mjs';

let srv;
before(async () => { srv = await startServer({ extraArgs: ['--behind-proxy'] }); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, 'server exits cleanly (and leak-free under ASan)');
});

describe('login and logout', () => {
  test('a demo account logs in, sees the förbund, and logs out', async () => {
    const c = new Client(srv.base);
    const page = await c.get('/logga-in');
    assert.equal(page.status, 200);
    assert.match(page.text, /<html lang="sv">/);
    const r = await c.login('admin');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/');
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('finsam_session='));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP without a proxy saying https');
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Samordningsförbundet Åsbygden/);
    const out = await c.post('/logga-ut', {});
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/logga-in?klart=utloggad');
    const again = await c.get('/');
    assert.equal(again.status, 303, 'the session is gone');
    assert.equal(again.headers.get('location'), '/logga-in');
  });

  test('a wrong password is refused in Swedish without a session', async () => {
    const c = new Client(srv.base);
    const r = await c.login('chef', 'fel-losenord');
    assert.equal(r.status, 401);
    assert.match(r.text, /Fel användarnamn eller lösenord/);
    assert.equal(c.cookies.has('finsam_session'), false);
  });

  test('login without its CSRF cookie is refused', async () => {
    const c = new Client(srv.base);
    const r = await c.request('POST', '/logga-in', { form: { csrf: 'x'.repeat(43), username: 'admin', password: 'finsam-demo' } });
    assert.equal(r.status, 403);
  });

  test('behind a proxy that says https, cookies are Secure', async () => {
    const c = new Client(srv.base);
    await c.get('/logga-in');
    const r = await c.request('POST', '/logga-in', {
      form: { csrf: c.csrf, username: 'revisor', password: 'finsam-demo' },
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    assert.equal(r.status, 303);
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('finsam_session='));
    assert.match(cookie, /; Secure/);
    assert.ok(r.headers.get('strict-transport-security'));
  });
});

describe('CSRF', () => {
  test('a state-changing form without its token is refused and changes nothing', async () => {
    const c = new Client(srv.base);
    await c.login('chef');
    const r = await c.request('POST', '/medlemmar/ny', { form: { kind: 'kommun', name: 'Utan token kommun' } });
    assert.equal(r.status, 403);
    assert.match(r.text, /säkerhetstoken/);
    const wrong = await c.request('POST', '/medlemmar/ny', { form: { csrf: 'fel', kind: 'kommun', name: 'Utan token kommun' } });
    assert.equal(wrong.status, 403);
    const list = await c.get('/medlemmar');
    assert.doesNotMatch(list.text, /Utan token kommun/);
  });

  test('with its token the same form creates the member', async () => {
    const c = new Client(srv.base);
    await c.login('chef');
    await c.get('/medlemmar/ny');
    const r = await c.post('/medlemmar/ny', { kind: 'kommun', name: 'Nyköla kommun', org_number: orgnr('212000097'), joined_on: '2026-01-01' });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^\/medlemmar\/\d+\?klart=skapat$/);
    const view = await c.get(r.headers.get('location'));
    assert.match(view.text, /Nyköla kommun/);
  });

  test('the JSON API with a session needs the X-CSRF-Token header', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    const no = await c.request('PUT', '/api/v1/bodies/1', { json: { description: 'x' } });
    assert.equal(no.status, 403);
    assert.equal(no.json().error.code, 'forbidden');
    const yes = await c.request('PUT', '/api/v1/bodies/1', { json: { description: 'Sammanträder sex gånger per år.' }, headers: { 'X-CSRF-Token': c.csrf } });
    assert.equal(yes.status, 200);
    assert.equal(yes.json().description, 'Sammanträder sex gånger per år.');
  });
});

describe('roles', () => {
  const denied = [
    ['styrelse', 'GET', '/medlemmar/ny'],
    ['styrelse', 'GET', '/anvandare'],
    ['styrelse', 'GET', '/logg'],
    ['deltagare', 'GET', '/organ/1/redigera'],
    ['deltagare', 'GET', '/api-nycklar'],
    ['insats', 'GET', '/logg'],
    ['insats', 'POST', '/personer/ny'],
    ['chef', 'GET', '/anvandare'],
    ['chef', 'POST', '/anvandare'],
    ['revisor', 'GET', '/forbund/redigera'],
    ['revisor', 'POST', '/medlemmar/1/folkmangd'],
  ];
  for (const [user, method, path] of denied) {
    test(`${user} is denied ${method} ${path}`, async () => {
      const c = new Client(srv.base);
      await c.login(user);
      const r = method === 'GET' ? await c.get(path) : await c.post(path, { name: 'x' });
      assert.equal(r.status, 403);
      assert.match(r.text, /Åtkomst nekad/);
    });
  }

  const allowed = [
    ['revisor', '/logg'], ['chef', '/logg'], ['admin', '/anvandare'],
    ['styrelse', '/organ/1'], ['deltagare', '/personer'], ['insats', '/medlemmar'],
  ];
  for (const [user, path] of allowed) {
    test(`${user} may read ${path}`, async () => {
      const c = new Client(srv.base);
      await c.login(user);
      assert.equal((await c.get(path)).status, 200);
    });
  }

  test('editors get an action column with a real header; readers get none', async () => {
    const chef = new Client(srv.base);
    await chef.login('chef');
    for (const path of ['/organ/1', '/forbund']) {
      const page = await chef.get(path);
      assert.match(page.text, /<th scope="col">Åtgärd<\/th>/, path);
      assert.doesNotMatch(page.text, /&lt;th/, path);
    }
    const reader = new Client(srv.base);
    await reader.login('styrelse');
    assert.doesNotMatch((await reader.get('/organ/1')).text, /Åtgärd/);
  });

  test('navigation shows only what the role may reach', async () => {
    const c = new Client(srv.base);
    await c.login('styrelse');
    const home = await c.get('/');
    assert.doesNotMatch(home.text, /href="\/anvandare"/);
    assert.doesNotMatch(home.text, /href="\/logg"/);
    assert.match(home.text, /href="\/organ"/);
    const organ = await c.get('/organ/1');
    assert.match(organ.text, /<a href="\/organ" aria-current="page">Organ<\/a>/, 'the current section is marked');
  });

  test('a signed-out visitor is sent to the login page', async () => {
    const r = await new Client(srv.base).get('/medlemmar');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/logga-in');
  });
});

describe('errors', () => {
  test('unknown paths answer 404 in Swedish', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    const r = await c.get('/finns-inte');
    assert.equal(r.status, 404);
    assert.match(r.text, /Sidan finns inte/);
    assert.equal((await c.get('/medlemmar/999999')).status, 404);
    const api = await c.get('/api/v1/finns-inte');
    assert.equal(api.status, 404);
    assert.equal(api.json().error.code, 'not_found');
  });

  test('a wrong method answers 405', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    const r = await c.request('DELETE', '/medlemmar');
    assert.equal(r.status, 405);
    assert.match(r.text, /Metoden stöds inte/);
  });

  test('an oversized body answers 413', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    const big = 'name=' + 'x'.repeat(2 * 1024 * 1024);
    let status;
    try {
      status = (await c.request('POST', '/medlemmar/ny', { body: big, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status;
    } catch (e) {
      assert.fail(`connection failed instead of 413: ${e}`);
    }
    assert.equal(status, 413);
  });

  test('a form with a bad field is shown again with the field named and the input kept', async () => {
    const c = new Client(srv.base);
    await c.login('chef');
    await c.get('/medlemmar/ny');
    const r = await c.post('/medlemmar/ny', { kind: 'kommun', name: 'Felköla kommun', org_number: '212000-0000x' });
    assert.equal(r.status, 422);
    assert.match(r.text, /Organisationsnumret/);
    assert.match(r.text, /value="Felköla kommun"/);
    assert.match(r.text, /aria-invalid="true"/);
  });

  test('pages carry the security headers', async () => {
    const r = await new Client(srv.base).get('/logga-in');
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.doesNotMatch(csp, /script-src/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'same-origin');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });
});

describe('JSON API', () => {
  let token, readToken;
  before(() => {
    token = finsam(['token', 'add', srv.db, 'Testintegration']).trim();
    readToken = finsam(['token', 'add', srv.db, 'Granskning', '--role', 'revisor']).trim();
  });
  const api = (t) => ({ Authorization: `Bearer ${t}` });

  test('without a token the API answers 401 in JSON', async () => {
    const r = await new Client(srv.base).get('/api/v1/members');
    assert.equal(r.status, 401);
    assert.equal(r.json().error.code, 'unauthenticated');
    const bad = await new Client(srv.base).get('/api/v1/members', { headers: api('x'.repeat(43)) });
    assert.equal(bad.status, 401);
  });

  test('a token lists, creates and updates members', async () => {
    const c = new Client(srv.base);
    const list = await c.get('/api/v1/members', { headers: api(token) });
    assert.equal(list.status, 200);
    const items = list.json().items;
    assert.ok(items.length >= 9);
    assert.equal(items[0].kind, 'fk');
    assert.equal(items[0].org_number, '202100-5521');
    const kommun = items.find((m) => m.kind === 'kommun');
    assert.ok(kommun.population.count > 0);

    const created = await c.request('POST', '/api/v1/members', { headers: api(token), json: { kind: 'kommun', name: 'API-köla kommun', org_number: orgnr('212000098').replace('-', '') } });
    assert.equal(created.status, 201, created.text);
    const m = created.json();
    assert.equal(m.org_number, orgnr('212000098'), 'stored in the normal form');
    const upd = await c.request('PUT', `/api/v1/members/${m.id}`, { headers: api(token), json: { joined_on: '2026-07-01' } });
    assert.equal(upd.status, 200);
    assert.equal(upd.json().name, 'API-köla kommun', 'fields not sent keep their values');
    assert.equal(upd.json().joined_on, '2026-07-01');
    const pop = await c.request('POST', `/api/v1/members/${m.id}/population`, { headers: api(token), json: { year: 2026, population: 3120 } });
    assert.equal(pop.status, 200);
    assert.deepEqual(pop.json().items, [{ year: 2026, population: 3120 }]);
  });

  test('errors name the field that was wrong', async () => {
    const c = new Client(srv.base);
    const r = await c.request('POST', '/api/v1/members', { headers: api(token), json: { kind: 'kommun' } });
    assert.equal(r.status, 422);
    assert.equal(r.json().error.field, 'name');
    assert.match(r.json().error.message, /måste anges/);
    const t = await c.request('POST', '/api/v1/people', { headers: api(token), json: { name: 'A', employer_member_id: 'ett' } });
    assert.equal(t.status, 422);
    assert.equal(t.json().error.field, 'employer_member_id');
    const u = await c.request('POST', '/api/v1/bodies', { headers: api(token), json: { kind: 'styrelse', name: 'X', farg: 'blå' } });
    assert.equal(u.status, 422);
    assert.equal(u.json().error.field, 'farg');
    const d = await c.request('POST', '/api/v1/mandates', { headers: api(token), json: { person_id: 1, body_id: 1, role: 'ledamot', start_on: '2026-02-30' } });
    assert.equal(d.status, 422);
    assert.equal(d.json().error.field, 'start_on');
  });

  test('malformed JSON and wrong content types are refused', async () => {
    const c = new Client(srv.base);
    const r = await c.request('POST', '/api/v1/bodies', { headers: api(token), json: '{"name": ' });
    assert.equal(r.status, 400);
    assert.equal(r.json().error.code, 'bad_json');
    const ct = await c.request('POST', '/api/v1/bodies', { headers: { ...api(token), 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(ct.status, 415);
  });

  test('a read-only token may read but not write', async () => {
    const c = new Client(srv.base);
    assert.equal((await c.get('/api/v1/people', { headers: api(readToken) })).status, 200);
    const w = await c.request('POST', '/api/v1/bodies', { headers: api(readToken), json: { kind: 'ovrigt', name: 'Nej' } });
    assert.equal(w.status, 403);
  });

  test('a token does not open the HTML pages', async () => {
    const r = await new Client(srv.base).get('/medlemmar', { headers: api(token) });
    assert.equal(r.status, 303);
  });
});

describe('privacy of logs and audit', () => {
  test('the request log holds no query string', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    await c.get('/medlemmar?sok=199001011239');
    const log = srv.log();
    assert.match(log, /GET \/medlemmar 200 \d+us/);
    assert.doesNotMatch(log, /199001011239/);
    assert.doesNotMatch(log, /finsam-demo/);
  });

  test('a normal start logs no complaint from libmicrohttpd about the option order', () => {
    const log = srv.log();
    assert.match(log, /serverar/);
    assert.doesNotMatch(log, /not the first option/);
    assert.doesNotMatch(log, /libmicrohttpd: \S*\\x20/);
  });

  test('a path cannot forge a log line, and a personnummer in it is not logged', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    const forged = '2026-01-01T00:00:00Z GET /forged-entry 200 1us';
    await c.get(`/finns-inte%0a${encodeURIComponent(forged).replace(/%2F/g, '/')}`);
    const lines = srv.log().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('2026-01-01T00:00:00Z')).length, 0, 'no line begins with the forged text');
    assert.ok(lines.some((l) => /GET \/finns-inte\\x0a2026-01-01T00:00:00Z\\x20GET/.test(l)), 'the newline is written as \\x0a');
    const token = finsam(['token', 'add', srv.db, 'Loggtest']).trim();
    for (const form of ['19790228-2065', '197902282065', '790228-2065', '7902282065']) {
      const r = await c.get(`/api/v1/people/${form}`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(r.status, 404);
      assert.doesNotMatch(srv.log(), new RegExp(form.replace('+', '\\+')), form);
    }
    assert.match(srv.log(), /GET \/api\/v1\/people\/\[pnr\] 404/);
  });

  test('every write is in an intact audit chain', async () => {
    const c = new Client(srv.base);
    await c.login('admin');
    const logPage = await c.get('/logg');
    assert.match(logPage.text, /<td[^>]*>Inloggning<\/td>/);
    const out = finsam(['audit', 'verify', srv.db]);
    assert.match(out, /kedjan stämmer/);
  });
});
