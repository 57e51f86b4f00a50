// Browser tests: Debian's Chromium driven by playwright-core logs in, walks
// the pages a person uses, edits through the forms, and runs axe-core
// (WCAG 2.1 A and AA) on every page it visits.  Any violation fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { finsam } from '../e2e/lib.mjs';
import { axe, browserSuite, checkedPages, login } from './lib.mjs';

const env = browserSuite();

describe('the administrator', () => {
  let context, page;
  before(async () => ({ context, page } = await login(env, 'admin')));
  after(async () => context.close());

  test('sees the start page', async () => {
    await assert.doesNotReject(page.getByRole('heading', { name: 'Samordningsförbundet Åsbygden' }).waitFor());
    await axe(page, 'start');
  });

  test('walks every page in the menu and their detail pages', async () => {
    for (const [link, heading] of [['Förbundet', 'Samordningsförbundet Åsbygden'], ['Medlemmar', 'Medlemmar'],
      ['Organ', 'Organ'], ['Personer', 'Personer'], ['Användare', 'Användare'],
      ['API-nycklar', 'API-nycklar'], ['Granskningslogg', 'Granskningslogg'], ['Mitt konto', 'Mitt konto']]) {
      await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await axe(page, link);
    }
    for (const [list, item, label] of [['/medlemmar', 'Björkviks kommun', 'medlem'],
      ['/organ', 'Styrelsen', 'organ'], ['/personer', null, 'person']]) {
      await page.goto(env.srv.base + list);
      const target = item ? page.getByRole('link', { name: item }) : page.locator('main table a').first();
      await target.click();
      await page.waitForLoadState();
      await axe(page, label);
    }
  });

  test('opens every form', async () => {
    for (const path of ['/forbund/redigera', '/forbund/omraden/ny', '/medlemmar/ny', '/medlemmar/4/redigera',
      '/organ/ny', '/organ/1/redigera', '/organ/1/uppdrag/ny', '/uppdrag/1/redigera', '/personer/ny',
      '/personer/1/redigera', '/anvandare/1/losenord', '/forbund/omraden/1/redigera', '/kodlistor']) {
      await page.goto(env.srv.base + path);
      await axe(page, `formulär ${path}`);
    }
  });

  test('edits a member in the browser and sees the change', async () => {
    await page.goto(`${env.srv.base}/medlemmar`);
    await page.getByRole('link', { name: 'Ekeby kommun' }).click();
    await page.getByRole('link', { name: 'Ändra medlemmen' }).click();
    await page.getByLabel('Namn', { exact: false }).first().fill('Ekeby kommun (ändrad)');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ekeby kommun (ändrad)' }).waitFor();
    await axe(page, 'medlem efter ändring');
  });

  test('a wrong value is shown beside its field, and the page stays accessible', async () => {
    await page.goto(`${env.srv.base}/personer/ny`);
    await page.getByLabel('Namn', { exact: false }).first().fill('Ny Person');
    await page.getByLabel('E-post').fill('inte en adress');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.getByRole('alert').waitFor();
    const invalid = page.locator('[aria-invalid="true"]');
    assert.equal(await invalid.getAttribute('name'), 'email');
    assert.equal(await page.getByLabel('Namn', { exact: false }).first().inputValue(), 'Ny Person');
    await axe(page, 'formulär med fel');
  });

  test('adds a mandate to the styrelse', async () => {
    await page.goto(`${env.srv.base}/organ/1`);
    await page.getByRole('link', { name: 'Nytt uppdrag' }).click();
    await page.getByLabel('Person').selectOption({ index: 1 });
    await page.getByLabel('Roll').selectOption('adjungerad');
    await page.getByLabel('Från').fill('2026-01-01');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.getByRole('heading', { level: 1, name: 'Styrelsen' }).waitFor();
    assert.ok(await page.getByRole('cell', { name: 'Adjungerad' }).count() >= 1);
  });

  test('registers a population figure', async () => {
    await page.goto(`${env.srv.base}/medlemmar/5`);
    await page.getByLabel('År').fill('2027');
    await page.getByLabel('Folkmängd').fill('12100');
    await page.getByRole('button', { name: 'Spara folkmängd' }).click();
    await page.getByRole('cell', { name: '2027' }).waitFor();
  });

  test('creates an API key that is shown once', async () => {
    await page.goto(`${env.srv.base}/api-nycklar`);
    await page.getByLabel('Namn på nyckeln').fill('Webbläsartest');
    await page.getByLabel('Behörighet').selectOption('revisor');
    await page.getByRole('button', { name: 'Skapa nyckel' }).click();
    const token = await page.locator('.token').textContent();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    await axe(page, 'ny API-nyckel');
  });

  test('the not-found page is accessible', async () => {
    const r = await page.goto(`${env.srv.base}/finns-inte`);
    assert.equal(r.status(), 404);
    await axe(page, '404');
  });

  test('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${env.srv.base}/organ/1`);
    await axe(page, 'organ på mobil');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no sideways scrolling');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('the skip link moves focus to the content', async () => {
    await page.goto(`${env.srv.base}/medlemmar`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.textContent);
    assert.equal(first, 'Hoppa till innehållet');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'innehall');
  });

  test('logs out', async () => {
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.waitForURL(`${env.srv.base}/logga-in?klart=utloggad`);
    await page.getByRole('status').filter({ hasText: 'Du är utloggad.' }).waitFor();
  });
});

describe('other roles', () => {
  for (const [user, pages] of [['styrelse', ['/', '/forbund', '/medlemmar', '/organ/2', '/personer/3', '/konto']],
    ['revisor', ['/logg', '/medlemmar/3']],
    ['deltagare', ['/organ']]]) {
    test(`${user} reads their pages`, async () => {
      const { context, page } = await login(env, user);
      for (const path of pages) {
        const r = await page.goto(env.srv.base + path);
        assert.equal(r.status(), 200, path);
        assert.equal(await page.getByRole('link', { name: /^Ändra/ }).count(), 0, `${user} sees no edit links on ${path}`);
        await axe(page, `${user} ${path}`);
      }
      const denied = await page.goto(`${env.srv.base}/anvandare`);
      assert.equal(denied.status(), 403);
      await axe(page, '403');
      await context.close();
    });
  }
});

describe('after the browser tests', () => {
  test('the audit chain is intact', () => {
    assert.match(finsam(['audit', 'verify', env.srv.db]), /kedjan stämmer/);
  });
  test('axe ran on the pages', () => {
    assert.ok(checkedPages.size >= 30, `axe checked ${checkedPages.size} pages`);
  });
});
