// The foundation journey: the home page arrives server-rendered, hydrates, and reacts to a click.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, startPortal, waitForHydration } from './portal.mjs';

describe('home page', () => {
  let portal;
  let browser;

  before(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
  });

  test('status reports database and storage ok', async () => {
    const response = await fetch(`${portal.url}/status`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.database, 'ok');
    assert.equal(body.storage, 'ok');
  });

  test('is server-rendered: readable with JavaScript disabled', async () => {
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto(portal.url);
    assert.equal(await page.locator('h1').textContent(), 'Data Delivery System');
    assert.ok(await page.locator('nav a[href="/login"]').count() === 1, 'visitor navigation');
    await context.close();
  });

  test('hydrates and switches theme on click, remembered after reload', async () => {
    const { context, page, problems } = await openPage(browser, { colorScheme: 'light' });
    await page.goto(portal.url);
    await waitForHydration(page);
    const toggle = page.getByTestId('theme-toggle');
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await toggle.textContent(), 'Dark theme');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true', 'the toggle says the dark theme is on');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(16, 20, 26)', 'dark palette applied');

    await page.reload();
    // The server renders the chosen theme from the cookie, before any script runs.
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await waitForHydration(page);
    assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'false');
    assert.deepEqual(problems, [], 'no console errors or CSP violations');
    await context.close();
  });

  test('unknown pages render the 404 page inside the layout', async () => {
    const { context, page, problems } = await openPage(browser);
    const response = await page.goto(`${portal.url}/no/such/page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').textContent(), 'Page not found');
    await waitForHydration(page);
    assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
    await context.close();
  });
});
