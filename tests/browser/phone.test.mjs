// Browser tests at phone width (390 px): no page scrolls sideways (WCAG
// 1.4.10), every cell of a stacked table carries its column's name, the
// menu takes little room, and axe finds nothing.  The review found stacked
// tables without headings, /deltagare/ID overflowing and a four-row menu.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finsam } from '../e2e/lib.mjs';
import { axe, browserSuite, login } from './lib.mjs';

// An API key, so its revocation's confirmation page can be visited.
const env = browserSuite({ prepare: (db) => finsam(['token', 'add', db, 'rapportverktyg']) });

const PHONE = { viewport: { width: 390, height: 844 } };

// Checks one page at 390 px: no sideways scroll, labelled stacked cells, axe.
async function check(page, path) {
  await page.goto(env.srv.base + path);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${path} is ${width} px wide at 390`);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('table.wide tbody td')].filter((td) => !td.dataset.label).length);
  assert.equal(unlabelled, 0, `${path}: stacked cells without their column's name`);
  // The label is shown: each stacked cell starts with its column's name.
  const shown = await page.evaluate(() => {
    const td = document.querySelector('table.wide tbody td[data-label]');
    return td ? getComputedStyle(td, '::before').content : null;
  });
  if (shown !== null) assert.notEqual(shown, 'none', `${path}: label not shown`);
  await axe(page, `${path} at 390 px`);
}

describe('on a phone', () => {
  test('the administrator\'s pages fit and label their cells', async () => {
    const { context, page } = await login(env, 'admin', PHONE);
    const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
    const box = await nav.boundingBox();
    assert.ok(box.height <= 100, `the menu is ${box.height} px high`);
    for (const path of ['/', '/forbund', '/medlemmar', '/medlemmar/4', '/organ', '/organ/1', '/personer',
      '/personer/1', '/insatser', '/insatser/1', '/insatser/1/deltagare', '/ko', '/arbetslistor',
      '/anvandare', '/api-nycklar', '/logg', '/kodlistor', '/import', '/registerutdrag', '/konto',
      // The confirmation pages before something that cannot be undone.
      '/anvandare/2/stang-av', '/api-nycklar/1/aterkalla'])
      await check(page, path);
    for (const path of ['/anvandare/2/stang-av', '/api-nycklar/1/aterkalla']) {
      await page.goto(env.srv.base + path);
      assert.equal(await page.locator('.warning').count(), 1, `${path} warns`);
      assert.ok(await page.getByRole('checkbox').isVisible(), `${path} asks for a tick`);
    }
    await context.close();
  });

  test('a participation fits, with the deltagaransvarig\'s forms', async () => {
    const { context, page } = await login(env, 'deltagare', PHONE);
    const id = (await (await page.request.get(`${env.srv.base}/api/v1/queue?limit=1`)).json()).items[0].id;
    await check(page, `/deltagare/${id}`);
    const ended = await page.request.get(`${env.srv.base}/api/v1/interventions/1/participations?limit=100`);
    const done = (await ended.json()).items.find((p) => p.state === 'ended');
    if (done) await check(page, `/deltagare/${done.id}`);
    await check(page, '/insatser/1/anmalan');
    await context.close();
  });
});
