// End-to-end: a deltagaransvarig finds participations by personnummer, only
// in the insatser they work in; the number travels in a POST body, never in
// a URL, and each search is audited.  Synthetic numbers only.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, finsam, pnr, startServer } from './lib.mjs';

let srv;
const both = pnr('19720304123'); // held by Steget vidare and Cresco
const crescoOnly = pnr('19810506234');

before(async () => {
  srv = await startServer();
  const rows = [
    'Insats;Anmäld;Anmäld av;Personnummer;Namn;Samtycke',
    `Steget vidare;2026-01-10;fk;${both};Sara Söksson;2026-01-10`,
    `Cresco Åsbygden;2026-01-11;fk;${both};Sara Söksson;2026-01-11`,
    `Cresco Åsbygden;2026-01-12;fk;${crescoOnly};Olle Annan;2026-01-12`,
  ];
  const file = join(srv.dir, 'sok.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  finsam(['import', 'participations', srv.db, file]);
});
after(async () => { assert.equal(await srv.stop(), 0); });

test('the search finds the number only in the caller\'s own insatser', async () => {
  const c = new Client(srv.base);
  await c.login('deltagare');
  const ko = await c.get('/ko');
  assert.match(ko.text, /action="\/deltagare\/sok"/, 'the queue offers the search');
  const r = await c.post('/deltagare/sok', { pnr: both, reason: 'kontakt' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /1 deltagande med det numret/);
  const rows = [...r.text.matchAll(/<tr><td data-label="Nr"><a href="\/deltagare\/(\d+)">/g)];
  assert.equal(rows.length, 1);
  assert.match(r.text, /Steget vidare/);
  assert.doesNotMatch(r.text, /Cresco/, 'another insats is never looked at');
  assert.doesNotMatch(r.text, /Sara/, 'the search shows no name');

  const none = await c.post('/deltagare/sok', { pnr: crescoOnly, reason: 'kontakt' });
  assert.equal(none.status, 200);
  assert.match(none.text, /Inget deltagande med det numret/);
});

test('mistakes are named together and the typed number is kept', async () => {
  const c = new Client(srv.base);
  await c.login('deltagare');
  await c.get('/ko');
  const r = await c.post('/deltagare/sok', { pnr: '19720304-1230', reason: 'nyfiken' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-pnr"/);
  assert.match(r.text, /href="#f-reason"/);
  assert.match(r.text, /value="19720304-1230"/);
});

test('only a deltagaransvarig may search, and every search is in the audit log', async () => {
  const chef = new Client(srv.base);
  await chef.login('chef');
  await chef.get('/ko');
  assert.doesNotMatch((await chef.get('/ko')).text, /action="\/deltagare\/sok"/);
  assert.equal((await chef.post('/deltagare/sok', { pnr: both, reason: 'kontakt' })).status, 403);
  const admin = new Client(srv.base);
  await admin.login('admin');
  const log = await admin.get('/logg');
  assert.equal(log.status, 200);
  assert.match(log.text, /Sökte på personnummer/);
  assert.doesNotMatch(log.text, /19720304/);
});
