// End-to-end: the stylesheet is served from memory, without a session and
// without the database: a versioned address every page links, a strong
// ETag, a year's "immutable" cache lifetime, and a 304 without a body for a
// browser that has it.  That no database connection is used is proved by
// the server's count of connection checkouts, which it sends in a header
// only when started with FINSAM_TEST_POOL_CHECKOUTS (a test hook).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client, startServer } from './lib.mjs';

let srv;
before(async () => {
  process.env.FINSAM_TEST_POOL_CHECKOUTS = '1';
  srv = await startServer({ extraArgs: ['--behind-proxy'] });
  delete process.env.FINSAM_TEST_POOL_CHECKOUTS;
});
after(async () => assert.equal(await srv.stop(), 0));

const checkouts = (r) => Number(r.headers.get('x-finsam-pool-checkouts'));

async function signedIn() {
  const c = new Client(srv.base);
  await c.login('chef');
  return c;
}

function stylesheetUrl(html) {
  const links = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
  assert.equal(links.length, 1, 'one stylesheet per page');
  return links[0];
}

test('every page links the stylesheet at its versioned address, named by the hash of its content', async () => {
  const c = await signedIn();
  const old = await c.get('/static/finsam.css');
  assert.equal(old.status, 200);
  const hash = createHash('sha256').update(old.text).digest('hex').slice(0, 16);
  for (const path of ['/', '/medlemmar', '/insatser', '/konto']) {
    const r = await c.get(path);
    assert.equal(r.status, 200, path);
    assert.equal(stylesheetUrl(r.text), `/static/style.${hash}.css`, path);
  }
  const login = await new Client(srv.base).get('/logga-in');
  assert.equal(stylesheetUrl(login.text), `/static/style.${hash}.css`);
  const missing = await c.get('/finns-inte');
  assert.equal(missing.status, 404);
  assert.equal(stylesheetUrl(missing.text), `/static/style.${hash}.css`);
});

test('the stylesheet has a strong ETag and a year-long immutable lifetime, and the security headers', async () => {
  const c = await signedIn();
  const url = stylesheetUrl((await c.get('/medlemmar')).text);
  const r = await c.get(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.match(r.text, /^:root\{/);
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/, 'a strong tag (no W/)');
  assert.equal(etag, `"${url.slice('/static/style.'.length, -'.css'.length)}"`);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.notEqual(r.headers.get('connection'), 'close', 'the connection is kept for the next request');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
  assert.equal(r.headers.get('referrer-policy'), 'same-origin');
  // Behind a proxy that says https, HSTS as on every page.
  const https = await c.get(url, { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(https.headers.get('strict-transport-security'), 'max-age=31536000');
  assert.equal(r.headers.get('strict-transport-security'), null);
  // HEAD: the same headers, no body.
  const head = await c.request('HEAD', url);
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('etag'), etag);
});

test('If-None-Match with the tag answers 304 without a body; another tag gets the file', async () => {
  const c = await signedIn();
  const url = stylesheetUrl((await c.get('/medlemmar')).text);
  const full = await c.get(url);
  const etag = full.headers.get('etag');
  for (const inm of [etag, `W/${etag}`, `"0000000000000000", ${etag}`, '*']) {
    const r = await c.get(url, { headers: { 'If-None-Match': inm } });
    assert.equal(r.status, 304, inm);
    assert.equal(r.text, '');
    assert.equal(r.headers.get('etag'), etag);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const len = r.headers.get('content-length');
    assert.ok(len === null || len === full.headers.get('content-length'), `a 304 states no length but the 200's (${len})`);
  }
  for (const inm of ['"0000000000000000"', etag.slice(0, -1), 'nonsense']) {
    const r = await c.get(url, { headers: { 'If-None-Match': inm } });
    assert.equal(r.status, 200, inm);
    assert.match(r.text, /^:root\{/);
  }
});

test('the stylesheet never checks out a database connection, with or without a session', async () => {
  const c = await signedIn();
  const first = await c.get('/medlemmar');
  const url = stylesheetUrl(first.text);
  const etag = (await c.get(url)).headers.get('etag');
  const before = checkouts(await c.get('/medlemmar'));
  assert.ok(before > 0, 'the page itself used a connection');
  for (let i = 0; i < 5; i++) {
    assert.equal((await c.get(url)).status, 200);
    assert.equal((await c.get(url, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await new Client(srv.base).get(url)).status, 200);
    assert.equal((await c.get('/static/finsam.css')).status, 200);
  }
  const afterPage = checkouts(await c.get('/medlemmar'));
  assert.equal(afterPage, before + 1, 'only the page itself checked out a connection');
});

test('the old address still serves the stylesheet, to be revalidated, and other addresses are not found', async () => {
  const c = new Client(srv.base);
  const r = await c.get('/static/finsam.css');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  const again = await c.get('/static/finsam.css', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal((await c.get('/static/style.0000000000000000.css')).status, 404);
  assert.equal((await c.request('POST', '/static/finsam.css')).status, 404);
});
