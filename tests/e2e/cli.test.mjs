// End-to-end tests of the command line: the same binary an administrator
// scripts with.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

  test('a file from a pipe is imported: the first reading is never rewound', () => {
    // It failed before: the import rewound its input (fseek) before the
    // first reading too, which a pipe cannot do.
    const file = join(dir, 'ror.csv');
    writeFileSync(file, `Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${today()};FK;K\n`);
    // A real pipe (node's own stdin for a child is a socket).
    const r = spawnSync('sh', ['-c', 'cat "$1" | "$0" import participations "$2" /dev/stdin', BIN, file, srv.db],
      { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Importerade 1 deltagande \(0 starter, 0 avslut\)\./);
  });

  test('a file over 16 MiB is streamed and imported whole', () => {
    // It was refused for its size; the import now reads row by row.
    const file = join(dir, 'stor.csv');
    const unit = 'Socialtjänsten'.padEnd(4000, ' '); // spaces are trimmed
    const row = `Steget vidare;${today()};Kommunen;${unit};K\n`;
    writeFileSync(file, 'Insats;Anmäld;Anmäld av;Anmälande enhet;Kön\n' + row.repeat(4300));
    assert.ok(statSync(file).size > 16 * 1024 * 1024);
    const r = run(['import', 'participations', srv.db, file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Importerade 4\s?300 deltaganden/);
    rmSync(file);
  });

  test('a missing column is named as the file names it, with what it holds', () => {
    const file = join(dir, 'utan-datum.csv');
    writeFileSync(file, 'Insats;Anmäld av;Kön\nSteget vidare;FK;K\n');
    const r = run(['import', 'participations', srv.db, file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Kolumnen "Anmäld" saknas; den ska ha ÅÅÅÅ-MM-DD\./);
  });

  test('every error is counted, even past the ones shown', () => {
    const file = join(dir, 'fel.csv');
    writeFileSync(file, 'Insats;Anmäld;Anmäld av;Kön\n' + `Steget vidare;${today()};Grannen;K\n`.repeat(250));
    const r = run(['import', 'participations', srv.db, file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /rad 201, kolumn Anmäld av: /);
    assert.doesNotMatch(r.stderr, /rad 202,/);
    assert.match(r.stderr, /och 50 fel till: 250 fel i hela filen, de första 200 visas/);
    // Counts of a thousand and more are written the Swedish way.
    writeFileSync(file, 'Insats;Anmäld;Anmäld av;Kön\n' + `Steget vidare;${today()};Grannen;K\n`.repeat(1200));
    const many = run(['import', 'participations', srv.db, file]);
    assert.equal(many.status, 1);
    assert.match(many.stderr, /och 1\u00a0000 fel till: 1\u00a0200 fel i hela filen, de första 200 visas/);
  });

  test('the audit chain is intact after all of it', () => {
    assert.match(execFileSync(BIN, ['audit', 'verify', srv.db], { encoding: 'utf8' }), /kedjan stämmer/);
  });
});

// The key file belongs to one database; the audit chain is anchored.
describe('key file and audit anchor', () => {
  const sqlite = (db, sql) => {
    const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  // serve must refuse at once; a server that starts is killed and fails the test.
  const serve = (db) => spawnSync(BIN, ['serve', db, '--port', '1'], { encoding: 'utf8', timeout: 5000 });
  const fresh = (name) => {
    const db = join(dir, name);
    const r = run(['init', db]);
    assert.equal(r.status, 0, r.stderr);
    return db;
  };

  test('a different valid key file is refused by every command that opens the database', () => {
    const a = fresh('nyckel-a.db');
    const b = fresh('nyckel-b.db');
    const right = readFileSync(`${a}.key`);
    writeFileSync(`${a}.key`, readFileSync(`${b}.key`));
    const csv = join(dir, 'nyckel.csv');
    writeFileSync(csv, `Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${today()};FK;K\n`);
    const cmds = [['serve', a, '--port', '1'], ['extract', a, '19121212-1212'], ['import', 'participations', a, csv],
      ['demo', a], ['user', 'list', a], ['token', 'add', a, 'x'], ['audit', 'verify', a], ['audit', 'head', a]];
    for (const args of cmds) {
      const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 5000 });
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /hör inte till den här databasen/, args[0]);
    }
    assert.equal(sqlite(a, 'SELECT count(*) FROM identity').trim(), '0');
    writeFileSync(`${a}.key`, right);
    const ok = run(['user', 'list', a]);
    assert.equal(ok.status, 0, ok.stderr);
  });

  test('each key file problem gets its own message', () => {
    const db = fresh('nyckelfel.db');
    const key = `${db}.key`;
    const good = readFileSync(key, 'utf8');
    const expect = (re, not) => {
      for (const r of [serve(db), run(['user', 'list', db])]) {
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, re);
        if (not) assert.doesNotMatch(r.stderr, not);
      }
    };
    rmSync(key);
    expect(/nyckelfilen .* saknas/);
    mkdirSync(key, { mode: 0o755 });
    expect(/är ingen vanlig fil/, /andra än ägaren/);
    rmSync(key, { recursive: true });
    writeFileSync(key, good, { mode: 0o644 });
    chmodSync(key, 0o644);
    expect(/andra än ägaren.*chmod 600/);
    chmodSync(key, 0o600);
    writeFileSync(key, good.slice(0, 40) + '\n');
    expect(/exakt 64 hexadecimala tecken/);
    writeFileSync(key, good.trim() + 'zz\n');
    expect(/exakt 64 hexadecimala tecken/);
    writeFileSync(key, 'g' + good.slice(1));
    expect(/exakt 64 hexadecimala tecken/);
    rmSync(key);
    symlinkSync(join(dir, 'finns-inte.key'), key);
    expect(/saknas/);
    rmSync(key);
    // A link to the right key, readable by the owner only, is the key.
    const elsewhere = join(dir, 'nyckel-annanstans.key');
    writeFileSync(elsewhere, good, { mode: 0o600 });
    symlinkSync(elsewhere, key);
    const r = run(['user', 'list', db]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('a database from before the key check adopts a key only if it opens every identity', () => {
    const db = join(dir, 'gammal.db');
    assert.equal(run(['demo', db]).status, 0);
    const n = Number(sqlite(db, 'SELECT count(*) FROM identity').trim());
    assert.ok(n > 1);
    // As an older build left it: schema before the key check (migration 9),
    // so no key_check and audit_anchor tables.  Every table migrations 1-8
    // did not make is dropped, and migrations 9 and later run again.
    const v8 = new Set(['schema_migration', 'association', 'area', 'member', 'member_population', 'body',
      'person', 'mandate', 'app_user', 'session', 'api_token', 'login_throttle', 'audit_log', 'code_item',
      'intervention', 'intervention_target_group', 'intervention_year', 'intervention_staff', 'volume_count',
      'identity', 'participation', 'consent', 'participation_answer', 'participation_history', 'attendance',
      'participation_tally']);
    const later = sqlite(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
      .trim().split('\n').filter((t) => !v8.has(t));
    assert.ok(later.includes('key_check') && later.includes('audit_anchor'));
    sqlite(db, `${later.map((t) => `DROP TABLE ${t};`).join(' ')} DELETE FROM schema_migration WHERE version >= 9;`);
    const right = readFileSync(`${db}.key`);
    writeFileSync(`${db}.key`, readFileSync(`${fresh('annan.db')}.key`));
    const wrong = run(['user', 'list', db]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, new RegExp(`öppnar inte ${n} av ${n} sparade identiteter`));
    // Refused before the upgrade: the right key is still adopted afterwards.
    assert.equal(sqlite(db, 'SELECT max(version) FROM schema_migration').trim(), '8');
    writeFileSync(`${db}.key`, right);
    // audit verify only reads: no upgrade, no adoption.
    const ro = run(['audit', 'verify', db]);
    assert.equal(ro.status, 0, ro.stdout + ro.stderr);
    assert.match(ro.stdout, /äldre version av finsam och har ännu inget ankare/);
    assert.equal(sqlite(db, 'SELECT max(version) FROM schema_migration').trim(), '8');
    const adopt = run(['user', 'list', db]);
    assert.equal(adopt.status, 0, adopt.stderr);
    assert.match(adopt.stderr, new RegExp(`saknade nyckelkontroll.*öppnade alla ${n} sparade identiteter`));
    const again = run(['user', 'list', db]);
    assert.equal(again.stderr, '');
    assert.match(run(['audit', 'verify', db]).stdout, /Ankaret stämmer/);
  });

  test('an empty or foreign file at the database path is refused, never given a schema', () => {
    const empty = join(dir, 'tom.db');
    writeFileSync(empty, '');
    for (const r of [serve(empty), run(['user', 'list', empty]), run(['audit', 'verify', empty]), run(['demo', empty])]) {
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /är tom och lämnas orörd/);
    }
    assert.equal(statSync(empty).size, 0);
    assert.match(run(['init', empty]).stderr, /skriver aldrig över/);
    const text = join(dir, 'text.db');
    writeFileSync(text, 'inte en databas\n');
    const r = serve(text);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ingen finsam-databas/);
    const other = join(dir, 'annat-program.db');
    sqlite(other, 'CREATE TABLE t (x INTEGER);');
    const o = run(['user', 'list', other]);
    assert.equal(o.status, 1);
    assert.match(o.stderr, /ingen finsam-databas/);
    assert.equal(sqlite(other, "SELECT count(*) FROM sqlite_master WHERE type = 'table'").trim(), '1');
  });

  test('removing the newest audit entries, or all, is detected by the anchor and the printed head', () => {
    const db = fresh('kedja.db');
    for (const u of ['a.person', 'b.person', 'c.person']) {
      assert.equal(run(['user', 'add', db, u, '--role', 'revisor', '--password-stdin'], 'ett-langt-losen\n').status, 0);
    }
    const head = run(['audit', 'head', db]);
    assert.equal(head.status, 0, head.stderr);
    const [, id, hash] = head.stdout.match(/Kontrollvärde: (\d+):([0-9a-f]{64})/);
    assert.doesNotMatch(head.stdout, /\d{4}-\d\d-\d\dT/);
    const ok = run(['audit', 'verify', db, '--head', `${id}:${hash}`]);
    assert.equal(ok.status, 0, ok.stdout);
    assert.match(ok.stdout, /Ankaret stämmer/);
    assert.match(ok.stdout, new RegExp(`Post ${id} finns kvar oförändrad`));
    const changed = run(['audit', 'verify', db, '--head', `${id}:${'0'.repeat(64)}`]);
    assert.equal(changed.status, 1);
    assert.match(changed.stdout, /ÄNDRAD/);

    sqlite(db, `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= ${Number(id) - 1};`);
    const cut = run(['audit', 'verify', db, '--head', `${id}:${hash}`]);
    assert.equal(cut.status, 1, cut.stdout);
    assert.match(cut.stdout, /ANKARET stämmer inte/);
    assert.match(cut.stdout, new RegExp(`Post ${id} SAKNAS`));
    const s = serve(db);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /ankare stämmer inte/);
    const add = run(['user', 'add', db, 'd.person', '--role', 'revisor', '--password-stdin'], 'ett-langt-losen\n');
    assert.equal(add.status, 1);
    assert.match(add.stderr, /ankare stämmer inte/);

    sqlite(db, 'DELETE FROM audit_log;');
    const gone = run(['audit', 'verify', db]);
    assert.equal(gone.status, 1, gone.stdout);
    assert.match(gone.stdout, /ANKARET stämmer inte/);
    // Without the key (a copy for the auditor) the printed head still tells.
    rmSync(`${db}.key`);
    const nokey = run(['audit', 'verify', db, '--head', `${id}:${hash}`]);
    assert.equal(nokey.status, 1);
    assert.match(nokey.stdout, /ankaret kontrollerades inte/);
    assert.match(nokey.stdout, /SAKNAS/);
  });

  test('a field error names no internal field code, only the option typed', () => {
    const db = fresh('faltfel.db');
    const short = run(['user', 'add', db, 'kort.losen', '--role', 'revisor', '--password-stdin'], 'kort\n');
    assert.equal(short.status, 1);
    assert.match(short.stderr, /Lösenordet/);
    const name = run(['user', 'add', db, 'lang.namn', '--role', 'revisor', '--name', 'x'.repeat(300),
      '--password-stdin'], 'ett-langt-losen\n');
    assert.equal(name.status, 1);
    assert.match(name.stderr, /\(--name\)/);
    const user = run(['user', 'add', db, 'ogiltigt namn!', '--role', 'revisor', '--password-stdin'], 'ett-langt-losen\n');
    assert.equal(user.status, 1);
    for (const r of [short, name, user]) {
      assert.doesNotMatch(r.stderr, /\((password|username|display_name|role|name)\)/, r.stderr);
    }
  });

  test('deleting the key check and the anchor with the newest entries is tampering, not an old database', () => {
    const db = fresh('borttagen.db');
    assert.equal(run(['demo', db]).status, 0);
    sqlite(db, 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > (SELECT max(id)-3 FROM audit_log);'
      + ' DELETE FROM audit_anchor; DELETE FROM key_check;');
    const before = readFileSync(db);
    const v = run(['audit', 'verify', db]);
    assert.notEqual(v.status, 0, v.stdout);
    assert.doesNotMatch(v.stdout + v.stderr, /äldre version|är nu sparad|Granskningsloggen är hel/);
    assert.match(v.stderr, /nyckelkontroll saknas/);
    assert.match(v.stdout, /kan inte litas på/);
    // verify only reads: nothing adopted, no new anchor.
    assert.equal(sqlite(db, 'SELECT count(*) FROM key_check; SELECT count(*) FROM audit_anchor;'), '0\n0\n');
    assert.ok(readFileSync(db).equals(before));
    const s = serve(db);
    assert.equal(s.status, 1, s.stderr);
    assert.match(s.stderr, /nyckelkontroll saknas/);
    for (const args of [['user', 'list', db], ['demo', db], ['audit', 'head', db]]) {
      const r = run(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /nyckelkontroll saknas/);
    }
    assert.equal(sqlite(db, 'SELECT count(*) FROM key_check;'), '0\n');
  });
});
