// Browser tests of participant follow-up: a deltagaransvarig registers a
// referral, starts and ends a participation with consent and another
// without, in the browser; the queue and work lists show them; the
// administrator's register extract shows the first person and nothing of
// the second; withdrawn consent erases the identity while the figures
// stay.  axe-core checks every page on the way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pnr, today } from '../e2e/lib.mjs';
import { axe, browserSuite, login } from './lib.mjs';

const env = browserSuite();

const PERSON = pnr('19790228206');
let first, second;

describe('a deltagaransvarig in the browser', () => {
  let context, page;
  before(async () => ({ context, page } = await login(env, 'deltagare')));
  after(async () => context.close());

  test('registers a referral with consent', async () => {
    await page.getByRole('link', { name: 'Insatser' }).click();
    await axe(page, 'insatser');
    await page.getByRole('link', { name: 'Steget vidare' }).click();
    await axe(page, 'insats');
    await page.getByRole('link', { name: 'Ny anmälan' }).click();
    await axe(page, 'anmälan');
    await page.getByLabel('Anmäld av').selectOption('region');
    await page.getByLabel('Hemkommun').selectOption({ label: 'Ekeby' });
    await page.getByLabel('Samtycke lämnat').fill(today());
    await page.getByLabel('Samtyckesblankettens version').fill('2024:1');
    await page.getByLabel('Personnummer eller samordningsnummer').fill(PERSON);
    await page.getByLabel('Namn', { exact: true }).fill('Webb Testsson');
    await page.getByRole('button', { name: 'Registrera anmälan' }).click();
    await page.getByRole('heading', { level: 1, name: /Deltagande \d+/ }).waitFor();
    first = new URL(page.url()).pathname;
    await axe(page, 'deltagande i kö');
  });

  test('starts and ends it', async () => {
    await page.goto(env.srv.base + first);
    await page.getByRole('checkbox', { name: 'Sjukpenning (inkl. rehabiliteringspenning)' }).check();
    await page.getByLabel('Sysselsättning').first().selectOption('ovrigt');
    await page.getByLabel('Högsta avslutade utbildning').selectOption('gymnasial');
    await page.getByRole('button', { name: 'Registrera start' }).click();
    await page.getByText('Pågående').first().waitFor();
    await axe(page, 'pågående deltagande');
    await page.getByLabel('Avslutsorsak').selectOption('studier');
    await page.getByRole('checkbox', { name: 'Studiemedel' }).check();
    await page.getByLabel('Sysselsättning').selectOption('studier');
    await page.getByRole('button', { name: 'Registrera avslut' }).click();
    await page.getByText('Avslutad').first().waitFor();
    await axe(page, 'avslutat deltagande');
  });

  test('shows the identity on request, after giving a reason', async () => {
    await page.getByLabel('Skäl att visa identiteten').selectOption('kontakt');
    await page.getByRole('button', { name: 'Visa identitet' }).click();
    await page.getByText('Webb Testsson').first().waitFor(); // and per participation
    assert.ok(await page.getByText(PERSON).isVisible());
    await axe(page, 'identitet visad');
  });

  test('finds it again by personnummer from the queue, accessibly', async () => {
    await page.goto(`${env.srv.base}/ko`);
    await page.getByLabel('Sök på personnummer').fill(PERSON);
    await page.getByLabel('Skäl', { exact: true }).selectOption('uppfoljning');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sök på personnummer' }).waitFor();
    assert.ok(await page.getByRole('link', { name: first.split('/').pop(), exact: true }).isVisible());
    assert.ok(!page.url().includes(PERSON.slice(0, 8)), 'the number is never in the URL');
    await axe(page, 'sök på personnummer');
  });

  test('registers one without consent', async () => {
    await page.goto(`${env.srv.base}/insatser/1/anmalan`);
    await page.getByLabel('Anmäld av').selectOption('egen');
    await page.getByLabel('Kön').selectOption('K');
    await page.getByRole('button', { name: 'Registrera anmälan' }).click();
    await page.getByRole('heading', { level: 1, name: /Deltagande \d+/ }).waitFor();
    second = new URL(page.url()).pathname;
    assert.ok(await page.getByText('Saknas – anonym').isVisible());
  });

  test('a wrong number is explained beside the form, accessibly', async () => {
    await page.goto(`${env.srv.base}/insatser/1/anmalan`);
    await page.getByLabel('Anmäld av').selectOption('fk');
    await page.getByLabel('Samtycke lämnat').fill(today());
    await page.getByLabel('Samtyckesblankettens version').fill('2024:1');
    await page.getByLabel('Personnummer eller samordningsnummer').fill('19790228-2060');
    await page.getByLabel('Namn', { exact: true }).fill('Fel Nummer');
    await page.getByRole('button', { name: 'Registrera anmälan' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /Kontrollsiffran/);
    await axe(page, 'anmälan med fel');
  });

  test('imports a spreadsheet through the upload page', async () => {
    await page.getByRole('link', { name: 'Import' }).click();
    // axe only once the import page has loaded (it raced the navigation).
    await page.waitForURL(`${env.srv.base}/import`);
    await page.getByLabel('Fil (CSV, högst 1 MiB)').waitFor();
    await axe(page, 'import');
    await page.getByLabel('Fil (CSV, högst 1 MiB)').setInputFiles({
      name: 'deltagare.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`Insats;Anmäld;Anmäld av;Kön\nSteget vidare;${today()};FK;K\nSteget vidare;2026-02-30;FK;K\n`),
    });
    await page.getByRole('button', { name: 'Importera' }).click();
    await page.getByRole('alert').waitFor();
    await axe(page, 'import med fel');
  });

  test('the queue and the work lists show them', async () => {
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Kö', exact: true }).click();
    await page.waitForURL(`${env.srv.base}/ko`);
    await axe(page, 'kö');
    // The queue is paged, oldest first: sorting newest first brings today's referral up.
    await page.getByRole('link', { name: 'Anmäld', exact: true }).click();
    await axe(page, 'kö, nyast först');
    assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
    assert.ok(await page.locator(`a[href="${second}"]`).count() === 1);
    await page.getByRole('link', { name: 'Arbetslistor' }).click();
    await axe(page, 'arbetslistor');
    await page.locator('table:has(caption:text("Samtycke saknas"))')
      .getByRole('link', { name: 'Anmäld', exact: true }).click();
    assert.ok(await page.locator(`a[href="${second}"]`).count() >= 1, 'anonymous: consent missing');
    // The go-to form finds it by number too.
    await page.getByLabel('Gå till deltagande nr').fill(second.split('/').pop());
    await page.getByRole('button', { name: 'Gå till' }).click();
    await page.waitForURL(`${env.srv.base}${second}`);
    await page.goto(`${env.srv.base}/insatser/1/deltagare`);
    await axe(page, 'deltagarlista');
    assert.equal(await page.getByText('Webb Testsson').count(), 0, 'no names in lists');
  });
});

describe('the administrator', () => {
  test('gets a register extract of the first person and nothing of the second', async () => {
    const { context, page } = await login(env, 'admin');
    await page.getByRole('link', { name: 'Registerutdrag' }).click();
    await axe(page, 'registerutdrag');
    await page.getByLabel('Personnummer eller samordningsnummer').fill(PERSON);
    await page.getByRole('button', { name: 'Ta fram utdrag' }).click();
    await page.getByText('Webb Testsson').first().waitFor(); // and per participation
    assert.ok(await page.getByText('Steget vidare').count() >= 1);
    await axe(page, 'utdrag');
    // The second person has no number stored at all: nothing to find.
    assert.equal(await page.getByText('Saknas – anonym').count(), 0);
    await context.close();
  });

  test('withdrawn consent erases the identity while the figures stay', async () => {
    const d = await login(env, 'deltagare');
    await d.page.goto(env.srv.base + first);
    // Irreversible: a confirmation page says what is erased first.
    await d.page.getByRole('link', { name: 'Återkalla samtycke …' }).click();
    await d.page.getByText('Det här går inte att ångra').waitFor();
    await axe(d.page, 'bekräfta återkallelse');
    await d.page.getByLabel('Jag förstår att personnummer och namn raderas').check();
    await d.page.getByRole('button', { name: 'Återkalla samtycke och radera identiteten' }).click();
    await d.page.getByText('Återkallat', { exact: true }).waitFor();
    assert.ok(await d.page.getByText('Avslutad').first().isVisible());
    await axe(d.page, 'efter återkallelse');
    await d.context.close();
    const { context, page } = await login(env, 'admin');
    await page.goto(`${env.srv.base}/registerutdrag`);
    await page.getByLabel('Personnummer eller samordningsnummer').fill(PERSON);
    await page.getByRole('button', { name: 'Ta fram utdrag' }).click();
    await page.getByText('Inga uppgifter finns sparade om personen.').waitFor();
    await context.close();
  });

  test('the protection confirmation and the administrator\'s work list are accessible', async () => {
    const d = await login(env, 'deltagare');
    await d.page.goto(env.srv.base + second);
    await d.page.getByRole('link', { name: 'Markera skyddade personuppgifter …' }).click();
    await d.page.getByText('Det här går inte att ångra').waitFor();
    await axe(d.page, 'bekräfta skyddade personuppgifter');
    // Without the confirmation ticked the browser does not send the form.
    await d.page.getByRole('button', { name: /Markera skyddade personuppgifter och radera/ }).click();
    assert.match(d.page.url(), /\/skyddad$/);
    await d.context.close();
    const { context, page } = await login(env, 'admin');
    await page.getByRole('link', { name: 'Skyddade personuppgifter' }).click();
    await page.getByText('Inga begäranden väntar.').waitFor();
    await axe(page, 'skyddade personuppgifter');
    await context.close();
  });

  test('insats forms are accessible', async () => {
    const { context, page } = await login(env, 'chef');
    for (const path of ['/insatser/ny', '/insatser/1/redigera', '/insatser/6', '/insatser/8']) {
      await page.goto(env.srv.base + path);
      await axe(page, path);
    }
    await context.close();
  });
});

describe('correcting a participation in the browser', () => {
  test('each field has its own control, no codes to type, and errors are accessible', async () => {
    const { context, page } = await login(env, 'deltagare');
    await page.goto(`${env.srv.base}/insatser/1/anmalan`);
    await page.getByLabel('Anmäld av').selectOption('egen');
    await page.getByLabel('Kön').selectOption('K');
    await page.getByRole('button', { name: 'Registrera anmälan' }).click();
    await page.getByRole('heading', { level: 1, name: /Deltagande \d+/ }).waitFor();
    await page.getByRole('checkbox', { name: 'Studiemedel' }).check();
    await page.getByLabel('Sysselsättning').first().selectOption('studier');
    await page.getByRole('button', { name: 'Registrera start' }).click();
    await page.getByText('Pågående').first().waitFor();
    await page.getByLabel('Avslutsorsak').selectOption('studier');
    await page.getByRole('button', { name: 'Registrera avslut' }).click();
    await page.getByText('Avslutad').first().waitFor();
    const html = await page.content();
    assert.doesNotMatch(html, /\(kod\)|K eller M/);
    await axe(page, 'rättelseformulär');
    // The end reason by its label, in a select of the list's labels.
    await page.getByLabel('Avslutsorsak').selectOption({ label: 'Eget val' });
    await page.getByRole('button', { name: 'Rätta avslutsorsak' }).click();
    await page.getByText('Rättelsen är sparad.').waitFor();
    assert.equal(await page.locator('dt:text-is("Avslutsorsak") + dd').textContent(), 'Eget val');
    // Sex by Kvinna/Man.
    await page.getByRole('group', { name: /Kön/ }).getByLabel('Man').check();
    await page.getByRole('button', { name: 'Rätta kön' }).click();
    await page.getByText('Rättelsen är sparad.').waitFor();
    assert.equal(await page.locator('dt:text-is("Kön") + dd').textContent(), 'Man');
    // A date in the future is refused by the core; the typed date stays.
    await page.getByLabel('Anmälningsdatum').fill('2099-01-01');
    await page.getByRole('button', { name: 'Rätta anmälningsdatum' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('Anmälningsdatum').inputValue(), '2099-01-01');
    await axe(page, 'rättelse med fel');
    await context.close();
  });
});
