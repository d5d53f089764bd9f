// Logging in through the real page: the password is turned into auth_key by wasm-crypto in the
// browser, the one-time code comes from the outbox, and the header then shows the user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchBrowser, openPage, startPortal, waitForHydration } from './portal.mjs';

function latestCode(dataDir, email) {
  const outbox = join(dataDir, 'outbox');
  const mails = readdirSync(outbox)
    .map((name) => join(outbox, name))
    .map((path) => ({ path, time: statSync(path).mtimeMs, text: readFileSync(path, 'utf8') }))
    .filter((m) => m.text.includes(`To: ${email}`) && m.text.includes('One-Time Authentication Code'))
    .sort((a, b) => a.time - b.time);
  const text = mails.at(-1)?.text ?? '';
  return text.slice(text.indexOf('code for the Data Delivery System is:')).match(/\b\d{8}\b/)?.[0];
}

describe('log in', () => {
  let portal;
  let browser;

  before(async () => {
    portal = await startPortal();
    execFileSync(process.env.DDS_BIN, ['init-db', 'dev'], { env: { ...process.env, DDS_DATA_DIR: portal.dataDir } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
  });

  test('a wrong password is refused with DDS\'s message', async () => {
    const { context, page } = await openPage(browser);
    await page.goto(`${portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('researchuser_1');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-error').waitFor();
    assert.equal(await page.getByTestId('login-error').textContent(), 'Invalid username or password.');
    await context.close();
  });

  test('a Unit Admin logs in with the emailed code and out again', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('unitadmin_1');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('code-form').waitFor({ timeout: 20_000 });
    const code = latestCode(portal.dataDir, 'unitadmin_1@example.com');
    assert.match(code, /^\d{8}$/);
    await page.getByLabel('One-time code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${portal.url}/`);
    await page.getByTestId('signed-in-user').waitFor();
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'unitadmin_1');
    assert.equal(await page.locator('nav a[href="/users"]').count(), 1, 'Unit Admin navigation');
    assert.equal(await page.locator('nav a[href="/login"]').count(), 0);

    await waitForHydration(page);
    await page.getByTestId('log-out').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="signed-in-user"]'));
    await page.locator('nav a[href="/login"]').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
