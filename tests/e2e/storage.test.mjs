// End-to-end: when the database cannot be written, the user is told what
// is wrong (503, in Swedish) instead of a generic error, and the server log
// names the cause for the administrator.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, chmodSync, closeSync, copyFileSync, mkdirSync, openSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { BIN, Client, finsam, startServer } from './lib.mjs';

describe('a full disk', () => {
  // The database lives on a small tmpfs of its own; once the server runs,
  // a filler file takes the last free byte, as when a disk fills up.
  let srv, mnt;
  after(async () => {
    if (mnt) execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    if (srv) assert.equal(await srv.stop(), 0);
  });

  test('a write says the database is full; reading still works', async (t) => {
    let mounted = false;
    srv = await startServer({
      prepare: (db) => {
        mnt = join(dirname(db), 'liten-disk');
        mkdirSync(mnt);
        const size = statSync(db).size + 4 * 1024 * 1024;
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { stdio: 'ignore' });
          mounted = true;
        } catch { mnt = null; return; }
        for (const f of ['finsam.db', 'finsam.db.key']) {
          copyFileSync(join(dirname(db), f), join(mnt, f));
          chmodSync(join(mnt, f), 0o600);
          rmSync(join(dirname(db), f));
          symlinkSync(join(mnt, f), join(dirname(db), f));
        }
      },
    });
    if (!mounted) { t.skip('mounting a tmpfs needs root'); return; }
    const c = new Client(srv.base);
    await c.get('/logga-in');
    const chunk = Buffer.alloc(64 * 1024);
    const fd = openSync(join(mnt, 'fyllning'), 'w');
    try { for (;;) writeSync(fd, chunk); } catch (e) { assert.equal(e.code, 'ENOSPC'); }
    try { for (;;) writeSync(fd, chunk, 0, 512); } catch { /* the last bytes */ }
    closeSync(fd);
    const login = await c.request('POST', '/logga-in', { form: { csrf: c.csrf, username: 'chef', password: 'finsam-demo' } });
    assert.equal(login.status, 503, login.text.slice(0, 300));
    assert.match(login.text, /Databasen är full/);
    assert.match(login.text, /Kontakta administratören/);
    assert.doesNotMatch(login.text, /Något gick fel hos oss/);
    assert.match(srv.log(), /databasen eller disken är full/);
    assert.equal((await c.get('/logga-in')).status, 200, 'reading still works');
  });
});

// chattr +i makes the file immutable even for root (file modes do not
// stop root), so the database opens read-only.
function immutable(path, on) {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a read-only database', () => {
  let dbPath;
  after(() => {
    if (dbPath) immutable(dbPath, false);
  });

  // A server on a database it cannot write would fail every login: it
  // refuses to start and says what to check.
  test('serve refuses to start on a database it cannot write', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'finsam-ro-'));
    const db = join(dir, 'ro.db');
    finsam(['demo', db]);
    dbPath = db;
    if (!immutable(db, true)) { t.skip('chattr +i is not possible on this file system'); return; }
    const r = spawnSync(BIN, ['serve', db, '--port', '1'], { encoding: 'utf8', timeout: 5000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /går inte att skriva till: kontrollera ägare och rättigheter/);
    assert.doesNotMatch(r.stderr, /serverar/);
  });
});

// The planner plans with statistics of the database as it is: the server
// gathers them at start (and once a day), for every index with rows.
describe('statistics for the planner', () => {
  let srv;
  after(async () => { if (srv) assert.equal(await srv.stop(), 0); });

  test('serve gathers statistics for every index that has rows', async () => {
    const sqlite = (db, sql) => {
      const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    srv = await startServer({
      prepare: (db) => assert.equal(sqlite(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"), '0'),
    });
    const measured = sqlite(srv.db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'participation' AND idx IS NOT NULL");
    const indexes = sqlite(srv.db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'participation'");
    assert.ok(Number(measured) >= 5, `${measured} of ${indexes} participation indexes measured`);
    // The server still answers after it (the connections read the statistics).
    assert.equal((await fetch(`${srv.base}/logga-in`)).status, 200);
  });

  test('an import of 1 000 rows gathers statistics; a refused or small one does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'finsam-stat-'));
    try {
      const db = join(dir, 'f.db');
      finsam(['demo', db]);
      const stat1 = () => spawnSync('sqlite3', [db, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"], { encoding: 'utf8' }).stdout.trim();
      assert.equal(stat1(), '0');
      const day = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
      const file = join(dir, 'rader.csv');
      writeFileSync(file, `Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${day};FK;K\nSteget vidare;igår;FK;K\n`);
      assert.equal(spawnSync(BIN, ['import', 'participations', db, file]).status, 1);
      assert.equal(stat1(), '0', 'nothing imported, nothing measured');
      writeFileSync(file, `Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${day};FK;K\n`);
      const one = spawnSync(BIN, ['import', 'participations', db, file], { encoding: 'utf8' });
      assert.equal(one.status, 0, one.stderr);
      assert.equal(stat1(), '0', 'a small file leaves the statistics to the daily run');
      writeFileSync(file, 'Insats;Anmäld;Anmäld av;Kön\n' + `Steget vidare;${day};FK;K\n`.repeat(1000));
      const ok = spawnSync(BIN, ['import', 'participations', db, file], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(stat1(), '1');
      const r = spawnSync('sqlite3', [db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'participation'"], { encoding: 'utf8' });
      assert.ok(Number(r.stdout.trim()) >= 5, r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
