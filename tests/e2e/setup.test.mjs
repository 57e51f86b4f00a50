// End-to-end tests of setting finsam up: the account commands without a
// terminal, what `make run` installs and runs, and what the demo prints.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN } from './lib.mjs';

const top = new URL('../..', import.meta.url).pathname;
let dir, db;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'finsam-setup-'));
  db = join(dir, 'f.db');
  assert.equal(spawnSync(BIN, ['init', db]).status, 0);
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Runs finsam with stdin a pipe (never a terminal).
function run(args, input = '') {
  return spawnSync(BIN, args, { input, encoding: 'utf8' });
}

describe('account commands without a terminal', () => {
  test('user add without --password-stdin says that it is needed', () => {
    for (const input of ['', 'ett-langt-losen\n']) {
      const r = run(['user', 'add', db, 'ny.person', '--role', 'admin'], input);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /ingen terminal.*--password-stdin/s);
    }
    assert.doesNotMatch(run(['user', 'list', db]).stdout, /ny\.person/);
  });

  test('user passwd without --password-stdin says that it is needed', () => {
    const r = run(['user', 'passwd', db, 'ny.person']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--password-stdin/);
  });

  test('--password-stdin with nothing on standard input says so', () => {
    const r = run(['user', 'add', db, 'ny.person', '--role', 'admin', '--password-stdin'], '');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /inget lösenord på standard in/);
  });

  test('--password-stdin with a password adds the account', () => {
    const r = run(['user', 'add', db, 'ny.person', '--role', 'admin', '--password-stdin'], 'ett-langt-losen\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Kontot ny\.person \(Administratör\) är skapat/);
  });
});

describe('make run', () => {
  const make = (args) => spawnSync('make', ['-n', '--no-print-directory', ...args], { cwd: top, encoding: 'utf8' });

  test('installs only what building and serving need; make test installs everything', () => {
    const runOnly = spawnSync(join(top, 'scripts/install-deps'), ['--run', '--list'], { encoding: 'utf8' });
    assert.equal(runOnly.status, 0, runOnly.stderr);
    const pkgs = runOnly.stdout.split('\n');
    assert.ok(pkgs.includes('libmicrohttpd-dev') && pkgs.includes('libsodium-dev'));
    for (const p of ['chromium', 'nodejs', 'npm', 'libcmocka-dev', 'clang']) assert.ok(!pkgs.includes(p), p);
    const all = spawnSync(join(top, 'scripts/install-deps'), ['--list'], { encoding: 'utf8' }).stdout.split('\n');
    for (const p of ['chromium', 'nodejs', 'libcmocka-dev', 'clang', 'libmicrohttpd-dev']) assert.ok(all.includes(p), p);
    assert.match(make(['run']).stdout, /scripts\/install-deps --run\b/);
    assert.match(make(['test']).stdout, /scripts\/install-deps\s*$/m);
  });

  test('makes the demo database with finsam demo alone, which suggests no new account', () => {
    const plan = make(['demo-db', `DEMO_DB=${join(dir, 'demo', 'd.db')}`]).stdout;
    assert.match(plan, /finsam demo /);
    assert.doesNotMatch(plan, /finsam init/, 'init would suggest creating a user');
    const demo = run(['demo', join(dir, 'd.db')]);
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /Konton \(lösenord finsam-demo för alla\)/);
    assert.doesNotMatch(demo.stdout, /user add/);
  });
});
