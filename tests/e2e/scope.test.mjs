// End-to-end tests of the insatsansvarig's scope: they change only the
// insatser they are insatsansvarig for (edit, plan and budget, staff,
// volume counts), create none, and see only the buttons they may use.
// The core refuses too; the route table only lets the role in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, startServer, today } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0); });

async function as(user) {
  const c = new Client(srv.base);
  await c.login(user);
  return c;
}

describe('an insatsansvarig is scoped to their own insatser', () => {
  let chef, lead, other, dr;

  test('the förbundschef creates an insats the insatsansvarig is not on', async () => {
    chef = await as('chef');
    await chef.get('/insatser/ny');
    const r = await chef.post('/insatser/ny', {
      name: 'Utanför ansvaret', orientation: 'individ', method: 'person', esf: '0', start_on: today(),
    });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    other = r.headers.get('location').split('?')[0];
    assert.match(other, /^\/insatser\/\d+$/);
    lead = await as('insats');
    const own = await lead.get('/insatser/1');
    assert.equal(own.status, 200);
    dr = own.text.match(/<option value="(\d+)">Emil Nyberg/)[1];
  });

  test('staffing another insats is refused and changes nothing', async () => {
    await lead.get(other);
    const r = await lead.post(`${other}/bemanning`, { user_id: dr, role: 'deltagaransvarig' });
    assert.equal(r.status, 403);
    const page = await chef.get(other);
    assert.match(page.text, /Ingen är knuten till insatsen än/);
  });

  test('staffing their own insats works', async () => {
    await lead.get('/insatser/1');
    const off = await lead.post('/insatser/1/bemanning', { user_id: dr, role: 'deltagaransvarig', remove: '1' });
    assert.equal(off.status, 303, off.text.slice(0, 300));
    const on = await lead.post('/insatser/1/bemanning', { user_id: dr, role: 'deltagaransvarig' });
    assert.equal(on.status, 303, on.text.slice(0, 300));
    assert.match((await chef.get('/insatser/1')).text, /Emil Nyberg, Deltagaransvarig/);
    // The audit log names the account given access, in words; staffing
    // again changes nothing, says so and logs nothing.
    const again = await lead.post('/insatser/1/bemanning', { user_id: dr, role: 'deltagaransvarig' });
    assert.equal(again.status, 422, again.text.slice(0, 300));
    assert.match(again.text, /Kontot har redan den rollen i insatsen/);
    const admin = await as('admin');
    const log = (await admin.get('/logg')).text;
    assert.match(log, /Lade till personal[\s\S]*?Deltagaransvarig: Emil Nyberg/);
    assert.match(log, /Tog bort personal[\s\S]*?Deltagaransvarig: Emil Nyberg/);
    assert.doesNotMatch(log, />deltagaransvarig(:\d+)?</);
  });

  test('editing, plan and budget of another insats are refused', async () => {
    await lead.get(other);
    assert.equal((await lead.get(`${other}/redigera`)).status, 403);
    const e = await lead.post(`${other}/redigera`, {
      name: 'Kapad', orientation: 'individ', method: 'person', esf: '0', start_on: today(),
    });
    assert.equal(e.status, 403);
    const y = await lead.post(`${other}/ar`, { year: '2026', planned: '5', budget_cost: '100' });
    assert.equal(y.status, 403);
    const page = await chef.get(other);
    assert.match(page.text, /Utanför ansvaret/);
    assert.match(page.text, /Ingen plan eller budget registrerad/);
  });

  test('the pages show only the buttons they may use', async () => {
    const mine = await lead.get('/insatser/1');
    assert.match(mine.text, /Ändra insatsen/);
    assert.match(mine.text, /Knyt ett konto till insatsen/);
    const theirs = await lead.get(other);
    assert.equal(theirs.status, 200, 'reading stays as the role permits');
    assert.doesNotMatch(theirs.text, /Ändra insatsen/);
    assert.doesNotMatch(theirs.text, /Knyt ett konto till insatsen/);
    assert.doesNotMatch(theirs.text, /Registrera plan och budget/);
    // Creating an insats is the förbund's: no button, and the form is refused.
    assert.doesNotMatch((await lead.get('/insatser')).text, /href="\/insatser\/ny"/);
    assert.equal((await lead.get('/insatser/ny')).status, 403);
    assert.match((await chef.get('/insatser')).text, /href="\/insatser\/ny"/);
    assert.match((await chef.get(other)).text, /Ändra insatsen/);
  });

  test('an insats that does not exist is not found', async () => {
    await lead.get('/insatser/1');
    const r = await lead.post('/insatser/99999/bemanning', { user_id: dr, role: 'deltagaransvarig' });
    assert.equal(r.status, 404);
  });
});
