// Browser tests of the main forms in an error state: the browser adds no
// English messages of its own (novalidate), every error is in the summary
// and links to its field, what was typed stays, and axe-core (WCAG 2.1
// A/AA) finds nothing.  People are synthetic.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pnr, today } from '../e2e/lib.mjs';
import { axe, browserSuite, login } from './lib.mjs';

const env = browserSuite();

// Every link in the summary leads to a control that exists, marked invalid.
async function summaryLeadsToFields(page, expected) {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const hrefs = await alert.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const id of expected) assert.ok(hrefs.includes(`#${id}`), `${id} in ${hrefs}`);
  for (const h of hrefs) {
    const el = page.locator(h);
    assert.equal(await el.count(), 1, `${h} exists`);
  }
  return hrefs;
}

const PERSON = pnr('19790228206');

describe('forms with errors', () => {
  let context, page;
  before(async () => ({ context, page } = await login(env, 'deltagare')));
  after(async () => context.close());

  test('the referral lists every error, keeps the number and passes axe', async () => {
    await page.goto(`${env.srv.base}/insatser/1/anmalan`);
    await page.getByLabel('Anmälningsdatum').fill('');
    await page.getByLabel('Samtycke lämnat').fill(today());
    await page.getByLabel('Personnummer eller samordningsnummer').fill(PERSON);
    await page.getByLabel('Namn', { exact: false }).first().fill('Anna\u202Egreb');
    await page.getByRole('button', { name: 'Registrera anmälan' }).click();
    const hrefs = await summaryLeadsToFields(page,
      ['f-referred_on', 'f-source', 'f-consent_form', 'f-name']);
    assert.ok(hrefs.length >= 4);
    assert.equal(await page.getByLabel('Personnummer eller samordningsnummer').inputValue(), PERSON);
    assert.equal(await page.locator('#f-name').getAttribute('aria-invalid'), 'true');
    await page.getByRole('alert').getByRole('link').first().click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), hrefs[0].slice(1));
    await axe(page, 'anmälan med flera fel');
  });

  test('the start form keeps the answers and passes axe', async () => {
    await page.goto(`${env.srv.base}/insatser/1/anmalan`);
    await page.getByLabel('Anmäld av').selectOption('egen');
    await page.getByLabel('Kön').selectOption('K');
    await page.getByRole('button', { name: 'Registrera anmälan' }).click();
    await page.getByRole('heading', { level: 1, name: /Deltagande \d+/ }).waitFor();
    await page.getByRole('checkbox', { name: 'Sjukpenning (inkl. rehabiliteringspenning)' }).check();
    await page.getByLabel('Omfattning i procent för Sjukpenning').first().fill('150');
    await page.getByRole('button', { name: 'Registrera start' }).click();
    await summaryLeadsToFields(page, ['f-start-support', 'f-start-employment']);
    assert.ok(await page.getByRole('checkbox', { name: 'Sjukpenning (inkl. rehabiliteringspenning)' }).first().isChecked());
    assert.equal(await page.getByLabel('Omfattning i procent för Sjukpenning').first().inputValue(), '150');
    await axe(page, 'start med fel');
  });
});

describe('an administrator form with errors', () => {
  let context, page;
  before(async () => ({ context, page } = await login(env, 'admin')));
  after(async () => context.close());

  test('a new member with every field wrong passes axe', async () => {
    await page.goto(`${env.srv.base}/medlemmar/ny`);
    await page.getByLabel('Organisationsnummer').fill('12');
    await page.getByRole('button', { name: 'Spara' }).click();
    await summaryLeadsToFields(page, ['f-kind', 'f-name']);
    assert.equal(await page.getByLabel('Organisationsnummer').inputValue(), '12');
    await axe(page, 'ny medlem med fel');
  });
});
