// Shared helpers for the browser tests (tests/browser/*.test.mjs).  The
// server itself, the demo password and the CLI come from ../e2e/lib.mjs;
// this file holds only what needs a browser.
//
// browserSuite(serverOptions)
//   Registers the test file's before and after hooks: before, a finsam
//   server on a fresh demo database (startServer(serverOptions) from
//   ../e2e/lib.mjs, e.g. { prepare(db) } to add data first) and
//   launchBrowser(); after, closes the browser and fails unless the server
//   exits with 0.  Returns env, whose srv and browser are set once the
//   before hook has run.  Call it once, at the top of a test file.
//
// launchBrowser()
//   Starts Debian's Chromium (the CHROMIUM environment variable, else
//   /usr/bin/chromium) through playwright-core, headless, without sandbox,
//   GPU, QUIC or any background network traffic of its own.  The caller
//   closes it.
//
// login(env, username, contextOptions)
//   Opens, in env.browser, a fresh browser context (a fresh cookie jar;
//   contextOptions go to browser.newContext, e.g. { viewport } for a phone)
//   and a page on env.srv, runs axe() on the login page, logs in as
//   username with the demo password and waits for the start page.  Returns { context, page }; the caller
//   closes the context.
//
// axe(page, label)
//   Waits for the page to have loaded and runs axe-core on the whole
//   document, evaluated through the DevTools protocol so the page's CSP (no
//   inline script) stays in force.  Checks the rules tagged wcag2a,
//   wcag2aa, wcag21a and wcag21aa (WCAG 2.0 and 2.1, levels A and AA); any
//   violation fails, with its rule, impact and up to three elements.  It
//   then fails if the page shows markup as text (an escaped tag such as
//   "&lt;td class=", "&lt;td&gt;" or "&lt;/td&gt;" in the document) or an attribute whose value starts with
//   escaped markup (="&quot;): a fragment this program meant to write
//   reached the reader escaped.  A navigation that replaces the document
//   while axe runs (a click that navigates) makes it run again, up to three
//   times.  Each label checked is added to checkedPages.
//
// checkedPages
//   The labels axe() has checked in this test file (node --test runs each
//   file in its own process), so a file can assert it covered enough pages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { DEMO_PASSWORD, startServer } from '../e2e/lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const checkedPages = new Set();

export function browserSuite(serverOptions) {
  const env = { srv: null, browser: null };
  before(async () => {
    env.srv = await startServer(serverOptions);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    assert.equal(await env.srv.stop(), 0);
  });
  return env;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function axe(page, label) {
  let result;
  for (let attempt = 0; ; attempt++) {
    try {
      await page.waitForLoadState('load');
      await page.evaluate(AXE_SOURCE);
      result = await page.evaluate(async (values) =>
        // eslint-disable-next-line no-undef
        await axe.run(document, { runOnly: { type: 'tag', values } }), AXE_TAGS);
      break;
    } catch (e) {
      if (attempt >= 2 || !/context was destroyed|documentElement|navigat/i.test(String(e))) throw e;
    }
  }
  const problems = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(problems, [], `axe found problems on ${label}`);
  const html = await page.content();
  assert.doesNotMatch(html, /&lt;\/?(th|td|tr|span|a|div|p|form|input|button|table|label)[\s&>]/,
    `escaped markup shown as text on ${label}`);
  assert.doesNotMatch(html, /="&quot;/, `an attribute's markup was escaped into its value on ${label}`);
  checkedPages.add(label);
}

export async function login(env, username, contextOptions = {}) {
  const base = env.srv.base;
  const context = await env.browser.newContext(contextOptions);
  const page = await context.newPage();
  await page.goto(`${base}/logga-in`);
  await axe(page, 'inloggning');
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(`${base}/`);
  return { context, page };
}
