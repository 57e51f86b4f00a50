// Browser test of a work list past its bounded count (issue 8): with more
// than 10 000 anonymous referrals the consent work list says "fler än
// 10 000" in its heading, its summary and on the start page, and pages on
// with Föregående/Nästa without naming a last page; axe-core checks each
// page.  Synthetic data: 10 001 anonymous referrals, imported.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { finsam } from '../e2e/lib.mjs';
import { axe, browserSuite, login } from './lib.mjs';

const env = browserSuite({
  prepare(db) {
    const rows = ['Insats;Anmäld;Anmäld av;Kön'];
    for (let i = 0; i <= 10000; i++)
      rows.push(`Steget vidare;2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')};egen;${i % 2 ? 'K' : 'M'}`);
    const file = join(dirname(db), 'anonyma.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    finsam(['import', 'participations', db, file]);
  },
});

describe('the förbundschef with a consent work list past 10 000', () => {
  let context, page;
  before(async () => ({ context, page } = await login(env, 'chef')));
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
