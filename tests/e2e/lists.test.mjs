// End-to-end tests of paged lists: the queue with more than 500 waiting is
// shown page by page with the right total ("Visar 1–50 av …"), sorts by its
// columns with aria-sort, and the API pages with limit/offset and a total.
// The review found the queue cut at 500 without a word.  Synthetic data.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, finsam, startServer } from './lib.mjs';

let srv, c;
const EXTRA = 522;

before(async () => {
  srv = await startServer();
  // 522 more queued referrals, imported the way a förbund moves a spreadsheet in.
  const rows = ['Insats;Anmäld;Anmäld av;Kön'];
  for (let i = 0; i < EXTRA; i++)
    rows.push(`Steget vidare;2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')};egen;${i % 2 ? 'K' : 'M'}`);
  const file = join(srv.dir, 'ko.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  finsam(['import', 'participations', srv.db, file]);
  c = new Client(srv.base);
  await c.login('chef');
});
after(async () => { assert.equal(await srv.stop(), 0); });

const num = (s) => Number(s.replace(/\s/g, ''));

async function walkApi(path, limit) {
  const ids = [];
  let offset = 0, total = -1;
  for (;;) {
    const r = await c.get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    const j = r.json();
    if (total < 0) total = j.total;
    assert.equal(j.total, total);
    assert.equal(j.limit, limit);
    assert.equal(j.offset, offset);
    ids.push(...j.items.map((x) => x.id));
    if (j.next_offset === null) break;
    assert.equal(j.next_offset, offset + j.items.length);
    offset = j.next_offset;
  }
  return { ids, total };
}

describe('the queue past 500', () => {
  test('the API walks every queued participation once, with the total', async () => {
    const { ids, total } = await walkApi('/api/v1/queue', 500);
    assert.ok(total >= EXTRA && total > 500, `total ${total}`);
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total, 'no row twice');
    const first = (await c.get('/api/v1/queue')).json();
    assert.equal(first.items.length, 100, 'default page of 100');
    assert.equal(first.total, total);
  });

  test('the page says how many, and pages through them all', async () => {
    const total = (await c.get('/api/v1/queue?limit=1')).json().total;
    const r = await c.get('/ko');
    assert.equal(r.status, 200);
    const m = r.text.match(/Visar 1–50 av ([\d\s\u00a0]+)\./);
    assert.ok(m, 'summary shown');
    assert.equal(num(m[1]), total);
    assert.match(r.text, new RegExp(`<p class="total">${String(total).replace(/\B(?=(\d{3})+$)/g, '\u00a0')} i kö\\.</p>`));
    assert.match(r.text, /<a href="\/ko\?sida=2" rel="next">Nästa<\/a>/);
    const last = Math.ceil(total / 50);
    const lastPage = await c.get(`/ko?sida=${last}`);
    assert.match(lastPage.text, new RegExp(`Visar [\\d\\s\\u00a0]+–${String(total).replace(/\B(?=(\d{3})+$)/g, '\u00a0')} av`));
    assert.match(lastPage.text, /rel="prev">Föregående/);
    assert.doesNotMatch(lastPage.text, /rel="next"/);
    const rows = lastPage.text.match(/<tr><td data-label="Nr">/g).length;
    assert.equal(rows, total - (last - 1) * 50);
    const past = await c.get(`/ko?sida=${last + 1}`);
    assert.match(past.text, /Sidan \d+ finns inte/);
  });

  test('a filter keeps its own total in the page links', async () => {
    const api = (await c.get('/api/v1/queue?insats=1&limit=1')).json();
    const r = await c.get('/ko?insats=1');
    assert.equal(num(r.text.match(/Visar 1–50 av ([\d\s\u00a0]+)\./)[1]), api.total);
    assert.match(r.text, /href="\/ko\?insats=1&amp;sida=2"/);
  });

  test('columns sort both ways and say so', async () => {
    let r = await c.get('/ko');
    assert.match(r.text, /<th scope="col" class="" aria-sort="ascending"><a class="sort" href="\/ko\?sida=1&amp;sortera=anmald&amp;ordning=fallande">Anmäld/);
    r = await c.get('/ko?sortera=nr&ordning=fallande');
    assert.match(r.text, /aria-sort="descending"><a class="sort" href="[^"]*sortera=nr&amp;ordning=stigande">Nr/);
    const nrs = [...r.text.matchAll(/<td data-label="Nr"><a href="\/deltagare\/(\d+)">/g)].map((x) => Number(x[1]));
    assert.equal(nrs.length, 50);
    assert.deepEqual(nrs, [...nrs].sort((a, b) => b - a));
    const api = (await c.get('/api/v1/queue?sort=id&order=desc&limit=50')).json();
    assert.deepEqual(api.items.map((x) => x.id), nrs);
  });

  test('malformed paging is refused, not guessed', async () => {
    assert.equal((await c.get('/ko?sida=0')).status, 400);
    assert.equal((await c.get('/ko?sida=abc')).status, 400);
    // The message names the real bounds (it said "från 1 och uppåt").
    const huge = await c.get('/ko?sida=2147483647');
    assert.equal(huge.status, 400);
    assert.match(huge.text, /Sidnumret ska vara ett heltal från 1 till 1\u00a0000\u00a0000\u00a0000\./);
    assert.equal((await c.get('/ko?sortera=namn')).status, 400);
    assert.equal((await c.get('/ko?ordning=upp')).status, 400);
    const e = await c.get('/api/v1/queue?limit=501');
    assert.equal(e.status, 400);
    assert.equal(e.json().error.field, 'limit');
    assert.equal((await c.get('/api/v1/queue?offset=-1')).json().error.field, 'offset');
    assert.equal((await c.get('/api/v1/queue?sort=name')).json().error.field, 'sort');
  });
});

describe('an insats and the work lists', () => {
  test('the insats list totals every participation and pages', async () => {
    const { ids, total } = await walkApi('/api/v1/interventions/1/participations', 500);
    assert.ok(total >= EXTRA, `total ${total}`);
    assert.equal(new Set(ids).size, total);
    const r = await c.get('/insatser/1/deltagare?sida=3');
    assert.equal(num(r.text.match(/Visar 101–150 av ([\d\s\u00a0]+)\./)[1]), total);
    assert.equal((await c.get('/api/v1/interventions/999/participations')).status, 404);
  });

  test('each work list pages on its own', async () => {
    const r = await c.get('/arbetslistor');
    const m = r.text.match(/<h2 id="samtycke">Samtycke saknas eller är återkallat \(([\d\s\u00a0]+)\)<\/h2>/);
    assert.ok(m);
    assert.ok(num(m[1]) > 500, 'the imported anonymous ones are all counted');
    assert.match(r.text, /href="\/arbetslistor\?samtycke-sida=2#samtycke" rel="next"/);
    const p2 = await c.get('/arbetslistor?samtycke-sida=2');
    assert.match(p2.text, /Visar 51–100 av/);
  });
});

describe('go to a participation by number', () => {
  test('a known number goes straight there; an unknown one says so', async () => {
    const id = (await c.get('/api/v1/queue?limit=1')).json().items[0].id;
    const r = await c.get(`/deltagare?nr=${id}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/deltagare/${id}`);
    const miss = await c.get('/deltagare?nr=99999999');
    assert.equal(miss.status, 404);
    assert.match(miss.text, /Det finns inget deltagande med nummer 99999999/);
    const bad = await c.get('/deltagare?nr=abc');
    assert.equal(bad.status, 404);
    assert.match(bad.text, /heltal/);
    // A personnummer typed here is never echoed; the page points to the audited search.
    const person = await c.get('/deltagare?nr=197902282065');
    assert.equal(person.status, 404);
    assert.doesNotMatch(person.text, /197902282065/);
    assert.match(person.text, /ser ut som ett personnummer/);
    assert.match((await c.get('/ko')).text, /<form method="get" action="\/deltagare" class="goto">/);
  });
});

describe('the audit log', () => {
  test('says how many events there are and where the page lies', async () => {
    const admin = new Client(srv.base);
    await admin.login('admin');
    const first = await admin.get('/logg');
    const m = first.text.match(/Visar 1–100 av ([\d\s\u00a0]+) händelser\./);
    assert.ok(m, 'summary on the first page');
    const total = num(m[1]);
    assert.ok(total > 100);
    const older = first.text.match(/href="(\/logg\?fore=\d+)">Äldre händelser/)[1];
    const second = await admin.get(older);
    assert.match(second.text, new RegExp(`Visar 101–200 av ${m[1]} händelser\\.`));
  });
});
