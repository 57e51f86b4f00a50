// End-to-end: a form sent from a page that had gone out of date (its CSRF
// token from an earlier session, or the session ended) loses nothing typed
// and tells the person what happened, instead of "Åtkomst nekad".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, orgnr, startServer } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

// Hidden inputs of the first form in a page, as a browser would send them.
function hiddenFields(html) {
  const form = html.slice(html.indexOf('<main'));
  const out = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1]] = m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'");
  }
  return out;
}

test('a stale token keeps what was typed and sends it again', async () => {
  const c = new Client(srv.base);
  await c.login('chef');
  await c.get('/medlemmar/ny');
  const old = c.csrf;
  // Another tab logs out and in again: a new session with a new token.
  await c.post('/logga-ut', {});
  await c.login('chef');
  const typed = { kind: 'kommun', name: 'Inaktuella "kommunen" & co', org_number: orgnr('212000113'), joined_on: '2026-01-01' };
  const r = await c.request('POST', '/medlemmar/ny', { form: { csrf: old, ...typed } });
  assert.equal(r.status, 403);
  assert.match(r.text, /Sidan var inaktuell/);
  assert.doesNotMatch(r.text, /behörighet/);
  assert.match(r.text, /<form method="post" action="\/medlemmar\/ny">/);
  assert.match(r.text, />Skicka igen</);
  assert.match(r.text, /href="\/medlemmar\/ny"/, 'a link back');
  const fields = hiddenFields(r.text);
  assert.notEqual(fields.csrf, old, 'the fresh token, not the stale one');
  for (const [k, v] of Object.entries(typed)) assert.equal(fields[k], v, k);
  assert.doesNotMatch((await c.get('/medlemmar')).text, /Inaktuella/, 'nothing saved yet');
  const again = await c.request('POST', '/medlemmar/ny', { form: fields });
  assert.equal(again.status, 303, again.text.slice(0, 300));
  assert.match((await c.get(again.headers.get('location'))).text, /Inaktuella &quot;kommunen&quot; &amp; co/);
});

test('passwords are not carried over', async () => {
  const c = new Client(srv.base);
  await c.login('admin');
  const r = await c.request('POST', '/konto', { form: { csrf: 'fel', current_password: 'hemligt-gammalt', new_password: 'hemligt-nytt-1234' } });
  assert.equal(r.status, 403);
  assert.match(r.text, /Sidan var inaktuell/);
  assert.doesNotMatch(r.text, /hemligt/);
  assert.match(r.text, /Lösenord skickas inte vidare/);
});

test('a stale upload says the file must be chosen again', async () => {
  const c = new Client(srv.base);
  await c.login('deltagare');
  const r = await c.upload('/import', { csrf: 'fel' }, 'file', 'x.csv', 'Insats;Anmäld\n');
  assert.equal(r.status, 403);
  assert.match(r.text, /Sidan var inaktuell/);
  assert.match(r.text, /En fil kan inte skickas igen/);
});

test('a stale login form gives a fresh one with the username kept', async () => {
  const c = new Client(srv.base);
  await c.get('/logga-in');
  const first = c.csrf;
  await c.get('/logga-in'); // a second tab replaces the cookie
  const r = await c.request('POST', '/logga-in', { form: { csrf: first, username: 'revisor', password: 'finsam-demo' } });
  assert.equal(r.status, 403);
  assert.match(r.text, /inaktuell/);
  assert.match(r.text, /value="revisor"/);
  assert.doesNotMatch(r.text, /finsam-demo/);
  const ok = await c.request('POST', '/logga-in', { form: { csrf: c.csrf, username: 'revisor', password: 'finsam-demo' } });
  assert.equal(ok.status, 303);
});

test('a form sent after the session ended shows the login page saying so', async () => {
  const c = new Client(srv.base);
  await c.login('chef');
  await c.get('/medlemmar/ny');
  const token = c.csrf;
  const cookie = c.cookies.get('finsam_session');
  await c.post('/logga-ut', {});
  c.cookies.set('finsam_session', cookie);
  const r = await c.request('POST', '/medlemmar/ny', { form: { csrf: token, kind: 'kommun', name: 'Utgången' } });
  assert.equal(r.status, 401);
  assert.match(r.text, /inloggningen har gått ut/);
  assert.match(r.text, /<form[^>]*action="\/logga-in"/);
});
