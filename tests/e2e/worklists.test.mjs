// End-to-end tests of a work list larger than its bounded count (issue 8):
// a work list counts at most 10 000 rows past the page, so that
// /arbetslistor answers as fast at 5 000 000 participations as at 20 000.
// Beyond the bound the page says so ("Visar 1–50 av fler än 10 000."),
// never a cut total as if it were all; the pager offers Föregående/Nästa
// without a last page; the start page says "Fler än 10 000 …"; the API
// answers "total": null with "total_more_than".  Synthetic data: 10 001
// anonymous referrals, imported, all on the consent work list.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, finsam, startServer } from './lib.mjs';

let srv, c;
const CAP = 10000;

before(async () => {
  srv = await startServer();
  const rows = ['Insats;Anmäld;Anmäld av;Kön'];
  for (let i = 0; i <= CAP; i++)
    rows.push(`Steget vidare;2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')};egen;${i % 2 ? 'K' : 'M'}`);
  const file = join(srv.dir, 'anonyma.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  finsam(['import', 'participations', srv.db, file]);
  c = new Client(srv.base);
  await c.login('chef');
});
after(async () => { assert.equal(await srv.stop(), 0); });

// The consent list's section of /arbetslistor, up to the next list's heading.
const section = (html, id) => {
  const from = html.indexOf(`<h2 id="${id}">`);
  assert.ok(from >= 0, `section ${id}`);
  const to = html.indexOf('<h2 id=', from + 1);
  return html.slice(from, to < 0 ? undefined : to);
};

describe('a work list past its bounded count', () => {
  test('the page says "fler än 10 000", and pages on without a last page', async () => {
    const r = await c.get('/arbetslistor');
    assert.equal(r.status, 200);
    const s = section(r.text, 'samtycke');
    assert.match(s, /<h2 id="samtycke">Samtycke saknas eller är återkallat \(fler än 10\u00a0000\)<\/h2>/);
    assert.match(s, /<p class="list-summary">Visar 1–50 av fler än 10\u00a0000\.<\/p>/);
    assert.match(s, /<li>Sida 1<\/li><li><a href="\/arbetslistor\?samtycke-sida=2#samtycke" rel="next">Nästa<\/a><\/li>/);
    assert.doesNotMatch(s, /Sida 1 av/, 'no last page is named');
    assert.doesNotMatch(s, /rel="prev"/);
    assert.equal(s.match(/<tr><td data-label="Nr">/g).length, 50);
    // A list below the bound keeps its exact total.
    assert.match(section(r.text, 'langa'), /\(\d+\)<\/h2>|Inget att göra här just nu\./);
    assert.doesNotMatch(section(r.text, 'langa'), /fler än/);
  });

  test('a later page counts as far past itself', async () => {
    const r = await c.get('/arbetslistor?samtycke-sida=3');
    assert.equal(r.status, 200);
    const s = section(r.text, 'samtycke');
    assert.match(s, /Visar 101–150 av fler än 10\u00a0100\./);
    assert.match(s, /rel="prev">Föregående<\/a>/);
    assert.match(s, /<li>Sida 3<\/li>/);
    assert.match(s, /samtycke-sida=4#samtycke" rel="next">Nästa/);
  });

  test('the start page says "Fler än 10 000"', async () => {
    const r = await c.get('/');
    assert.equal(r.status, 200);
    assert.match(r.text, /<a href="\/arbetslistor#samtycke">Fler än 10\u00a0000 deltaganden saknar samtycke<\/a>/);
  });

  test('the API answers total null and total_more_than', async () => {
    const r = await c.get('/api/v1/worklists/consent?limit=500');
    assert.equal(r.status, 200, r.text);
    const j = r.json();
    assert.equal(j.total, null);
    assert.equal(j.total_more_than, CAP);
    assert.equal(j.items.length, 500);
    assert.equal(j.next_offset, 500);
    assert.ok(j.items.every((x) => x.identified === false && ['queued', 'active'].includes(x.state)));
    // By number: the first page is the lowest numbers, in order.
    const byNr = (await c.get('/api/v1/worklists/consent?sort=id&limit=3')).json();
    const ids = byNr.items.map((x) => x.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    // Lists below the bound: an exact total, total_more_than absent.
    for (const list of ['long-running', 'end-missing']) {
      const e = (await c.get(`/api/v1/worklists/${list}`)).json();
      assert.equal(typeof e.total, 'number', list);
      assert.equal(e.total_more_than, undefined, list);
      assert.equal(e.items.length, Math.min(e.total, 100), list);
    }
    const bad = await c.get('/api/v1/worklists/consent?sort=slut');
    assert.equal(bad.status, 400);
  });

  // Reading a page deep in a work list costs a read of every row before it
  // (and so did its count, up to the page plus 10 000): a work list is read
  // at most 100 000 rows in, and the end is reached by turning the order.
  test('a page deeper than 100 000 rows in is refused with a Swedish reason', async () => {
    for (const list of ['consent', 'end-missing', 'long-running']) {
      const deep = await c.get(`/api/v1/worklists/${list}?offset=1000000000000`);
      assert.equal(deep.status, 400, list);
      const e = deep.json();
      assert.equal(e.error.field, 'offset', JSON.stringify(e));
      assert.match(e.error.message, /mindre än 100 000/);
      assert.equal((await c.get(`/api/v1/worklists/${list}?offset=99999`)).status, 200, list);
      assert.equal((await c.get(`/api/v1/worklists/${list}?offset=100000`)).status, 400, list);
    }
    const page = await c.get('/arbetslistor?samtycke-sida=2001');
    assert.equal(page.status, 400);
    assert.match(page.text, /till och med sida 2 000/);
    assert.match(page.text, /Vänd ordningen/);
    assert.equal((await c.get('/arbetslistor?samtycke-sida=2000')).status, 200);
  });
});
