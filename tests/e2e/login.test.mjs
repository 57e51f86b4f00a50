// End-to-end tests of logging in: throttling that does not hand an
// attacker a lockout, and a password change that ends the other sessions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, DEMO_PASSWORD, startServer } from './lib.mjs';

let srv;
before(async () => { srv = await startServer({ extraArgs: ['--behind-proxy'] }); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, 'server exits cleanly (and leak-free under ASan)');
});

// Logs in as if from address (the proxy's X-Forwarded-For).
async function loginFrom(c, username, password, address) {
  await c.get('/logga-in');
  return c.request('POST', '/logga-in', {
    form: { csrf: c.csrf, username, password },
    headers: { 'X-Forwarded-For': address },
  });
}

describe('throttling', () => {
  test('wrong passwords from one address lock only that address for the account', async () => {
    const attacker = new Client(srv.base);
    for (let i = 0; i < 5; i++) {
      const r = await loginFrom(attacker, 'styrelse', `fel-losenord-${i}`, '203.0.113.9');
      assert.equal(r.status, 401);
    }
    const locked = await loginFrom(attacker, 'styrelse', DEMO_PASSWORD, '203.0.113.9');
    assert.equal(locked.status, 429);
    assert.match(locked.text, /För många misslyckade inloggningsförsök\. Vänta en kvart/);
    assert.match(locked.text, /value="styrelse"/, 'the form keeps the username');
    // The owner, elsewhere, is not locked out.
    const owner = new Client(srv.base);
    const r = await loginFrom(owner, 'styrelse', DEMO_PASSWORD, '198.51.100.7');
    assert.equal(r.status, 303);
  });
});

describe('own password', () => {
  test('changing it ends the other sessions and keeps this one', async () => {
    const here = new Client(srv.base), there = new Client(srv.base);
    assert.equal((await loginFrom(here, 'revisor', DEMO_PASSWORD, '198.51.100.1')).status, 303);
    assert.equal((await loginFrom(there, 'revisor', DEMO_PASSWORD, '198.51.100.2')).status, 303);
    assert.equal((await there.get('/')).status, 200);
    await here.get('/konto');
    const r = await here.post('/konto', {
      current: DEMO_PASSWORD, password: 'ett-helt-nytt-losen', password2: 'ett-helt-nytt-losen',
    });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^\/konto\?klart=/);
    assert.equal((await here.get(r.headers.get('location'))).status, 200, 'this session lives on');
    const gone = await there.get('/');
    assert.equal(gone.status, 303, 'the other session has ended');
    assert.equal(gone.headers.get('location'), '/logga-in');
    // The new password works; the old one does not.
    assert.equal((await loginFrom(new Client(srv.base), 'revisor', 'ett-helt-nytt-losen', '198.51.100.3')).status, 303);
    assert.equal((await loginFrom(new Client(srv.base), 'revisor', DEMO_PASSWORD, '198.51.100.4')).status, 401);
  });
});
