// Browser test of a work list past its bounded count (issue 8): with more
// than 10 000 anonymous referrals the consent work list says "fler än
// 10 000" in its heading, its summary and on the start page, and pages on
// with Föregående/Nästa without naming a last page; axe-core checks each
// page.  Synthetic data: 10 001 anonymous referrals, imported.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { finsam, startServer } from '../e2e/lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let srv, browser;
before(async () => {
  srv = await startServer({
    prepare(db) {
      const rows = ['Insats;Anmäld;Anmäld av;Kön'];
      for (let i = 0; i <= 10000; i++)
        rows.push(`Steget vidare;2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')};egen;${i % 2 ? 'K' : 'M'}`);
      const file = join(dirname(db), 'anonyma.csv');
      writeFileSync(file, rows.join('\n') + '\n');
      finsam(['import', 'participations', db, file]);
    },
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  assert.equal(await srv.stop(), 0);
});

async function axe(page, label) {
  await page.waitForLoadState('load');
  await page.evaluate(AXE);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const problems = result.violations.map((v) =>
    `${v.id}: ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(problems, [], `axe found problems on ${label}`);
}

describe('the förbundschef with a consent work list past 10 000', () => {
  let context, page;
  before(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${srv.base}/logga-in`);
    await page.getByLabel('Användarnamn').fill('chef');
    await page.getByLabel('Lösenord').fill('finsam-demo');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.waitForURL(`${srv.base}/`);
  });
  after(async () => context.close());

  test('the start page and the work list say "fler än 10 000", and page on', async () => {
    await axe(page, 'start page');
    await page.getByRole('link', { name: 'Fler än 10 000 deltaganden saknar samtycke' }).click();
    await page.waitForURL(/\/arbetslistor#samtycke$/);
    await axe(page, 'work lists');
    const heading = page.getByRole('heading', { level: 2, name: /^Samtycke saknas/ });
    assert.equal((await heading.textContent()).replace(/\u00a0/g, ' '),
      'Samtycke saknas eller är återkallat (fler än 10 000)');
    const pager = page.getByRole('navigation', { name: 'Sidor: Samtycke saknas eller är återkallat' });
    assert.equal((await pager.textContent()).replace(/\u00a0/g, ' '), 'Sida 1Nästa');
    const summary = page.locator('#samtycke ~ p.list-summary').first();
    assert.equal((await summary.textContent()).replace(/\u00a0/g, ' '), 'Visar 1–50 av fler än 10 000.');
    await pager.getByRole('link', { name: 'Nästa' }).click();
    await page.waitForURL(/samtycke-sida=2#samtycke$/);
    await axe(page, 'work lists, page 2');
    const summary2 = page.locator('#samtycke ~ p.list-summary').first();
    assert.equal((await summary2.textContent()).replace(/\u00a0/g, ' '), 'Visar 51–100 av fler än 10 050.');
    const pager2 = page.getByRole('navigation', { name: 'Sidor: Samtycke saknas eller är återkallat' });
    assert.equal((await pager2.textContent()).replace(/\u00a0/g, ' '), 'FöregåendeSida 2Nästa');
  });
});
