// End-to-end tests of the command line: the same binary an administrator
// scripts with.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, Client, startServer, today } from './lib.mjs';

const run = (args, input) => spawnSync(BIN, args, { input, encoding: 'utf8' });
let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), 'finsam-cli-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('finsam init', () => {
  test('creates the database and a key file only the owner can read, and never overwrites', () => {
    const db = join(dir, 'ny.db');
    const r = run(['init', db, '--name', 'Samordningsförbundet Prov']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Nästa steg: finsam user add/);
    assert.equal(statSync(`${db}.key`).mode & 0o777, 0o600);
    assert.equal(statSync(db).mode & 0o077, 0);
    const again = run(['init', db]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /skriver aldrig över/);
  });

  test('counts take the right Swedish noun: one audit entry is "1 post"', () => {
    const db = join(dir, 'en.db');
    assert.equal(run(['init', db]).status, 0);
    assert.match(run(['audit', 'verify', db]).stdout, /är hel: 1 post, kedjan stämmer/);
    run(['user', 'add', db, 'en.person', '--role', 'admin', '--name', 'En Person', '--password-stdin'], 'ett-langt-losen\n');
    assert.match(run(['audit', 'verify', db]).stdout, /är hel: 2 poster, kedjan stämmer/);
  });

  test('help comes from the command table', () => {
    const r = run(['help']);
    for (const cmd of ['init', 'serve', 'user', 'token', 'demo', 'audit', 'extract', 'import']) assert.match(r.stdout, new RegExp(`finsam ${cmd}`));
    assert.match(run(['help', 'import']).stdout, /Alla rader sparas, eller ingen/);
    assert.equal(run(['nonsens']).status, 2);
  });
});

describe('accounts from the command line', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv.stop(); });

  test('an account added with a password on stdin can log in, and not once disabled', async () => {
    const add = run(['user', 'add', srv.db, 'ny.person', '--role', 'revisor', '--name', 'Ny Person', '--password-stdin'], 'ett-langt-losen\n');
    assert.equal(add.status, 0, add.stderr);
    const c = new Client(srv.base);
    assert.equal((await c.login('ny.person', 'ett-langt-losen')).status, 303);
    assert.equal(run(['user', 'disable', srv.db, 'ny.person']).status, 0);
    assert.equal((await new Client(srv.base).login('ny.person', 'ett-langt-losen')).status, 401);
    assert.equal((await c.get('/')).status, 303, 'the open session ended');
    const weak = run(['user', 'add', srv.db, 'svag', '--role', 'admin', '--password-stdin'], 'kort\n');
    assert.equal(weak.status, 1);
    assert.match(weak.stderr, /minst 10 tecken/);
    assert.match(run(['user', 'list', srv.db]).stdout, /ny\.person\s+revisor\s+avstängt\s+\d{1,2} [a-z]{3} \d{4}\s/);
  });

  test('an import with errors writes nothing and names line and column', () => {
    const file = join(dir, 'import.csv');
    writeFileSync(file, `Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${today()};FK;K\nSteget vidare;igår;FK;K\n`);
    const r = run(['import', 'participations', srv.db, file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /rad 3, kolumn Anmäld: /);
    writeFileSync(file, `Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${today()};FK;K\n`);
    const ok = run(['import', 'participations', srv.db, file]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Importerade 1 deltagande \(0 starter, 0 avslut\)\./);
  });

  test('the audit chain is intact after all of it', () => {
    assert.match(execFileSync(BIN, ['audit', 'verify', srv.db], { encoding: 'utf8' }), /kedjan stämmer/);
  });
});
