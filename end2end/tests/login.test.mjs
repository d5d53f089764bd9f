// Logging in through the real page: the password is turned into auth_key by wasm-crypto in the
// env.browser, the one-time code comes from the outbox, and the header then shows the user.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { latestCode, logIn, openPage, seededPortal, waitForHydration } from './portal.mjs';

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret, `offset` steps from now. */
function totp(base32, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('log in', () => {
  const env = seededPortal();

  test('a wrong password is refused with DDS\'s message', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('researchuser_1');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-error').waitFor();
    assert.equal(await page.getByTestId('login-error').textContent(), 'Invalid username or password.');
    await context.close();
  });

  test('a login form submitted before the page is live sends the password nowhere', async () => {
    // No JavaScript: the page stays as the server rendered it, as before hydration.
    const { context, page } = await openPage(env.browser, { javaScriptEnabled: false });
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${env.portal.url}/login`);
    const submit = page.getByRole('button', { name: 'Log in' });
    assert.equal(await submit.isDisabled(), true, 'submit waits for the page to be live');
    assert.equal(await page.locator('input[type=password][name]').count(), 0, 'the password field has no name');
    await page.getByLabel('Username').fill('researchuser_1');
    await page.getByLabel('Password').fill('typed-before-hydration');
    await page.getByLabel('Password').press('Enter');
    await new Promise((r) => setTimeout(r, 500));
    for (const url of [page.url(), ...requests]) assert.ok(!url.includes('typed-before-hydration'), url);
    assert.ok(!env.portal.log().includes('typed-before-hydration'));
    await context.close();
  });

  test('a Unit Admin logs in with the emailed code and out again', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('unitadmin_1');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('code-form').waitFor({ timeout: 20_000 });
    const code = latestCode(env.portal.dataDir, 'unitadmin_1@example.com');
    assert.match(code, /^\d{8}$/);
    await page.getByLabel('One-time code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${env.portal.url}/`);
    await page.getByTestId('signed-in-user').waitFor();
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'unitadmin_1');
    assert.equal(await page.locator('nav a[href="/users"]').count(), 1, 'Unit Admin navigation');
    assert.equal(await page.locator('nav a[href="/login"]').count(), 0);

    // DESIGN §3 "Session": the private key was unwrapped at login and kept for the tab, wrapped
    // under the session's server-held key; a reload unlocks it again without the password.
    const stored = await page.evaluate(() => sessionStorage.getItem('dds.user-key'));
    assert.ok(stored, 'the wrapped key is kept for the tab');
    assert.equal(JSON.parse(stored).username, 'unitadmin_1');
    await page.goto(`${env.portal.url}/account`);
    await waitForHydration(page);
    await page.getByTestId('keys-unlocked').waitFor();
    await page.reload();
    await waitForHydration(page);
    await page.getByTestId('keys-unlocked').waitFor();

    await page.getByTestId('log-out').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="signed-in-user"]'));
    await page.locator('nav a[href="/login"]').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('dds.user-key')), null, 'forgotten at logout');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('switching to an authenticator app, then logging in with it', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_2');
    await page.goto(`${env.portal.url}/account`);
    await waitForHydration(page);
    // Changing the second factor asks for the password again.
    await page.getByTestId('reauth-password').fill('password');
    await page.getByTestId('totp-begin').click();
    const secret = (await page.getByTestId('totp-secret').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]+=*$/);
    assert.equal(await page.locator('.qr svg').count(), 1, 'QR code drawn');
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('totp-enabled').waitFor();

    await page.getByTestId('log-out').click();
    await page.locator('nav a[href="/login"]').waitFor();
    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('unitadmin_2');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Enter the 6-digit code from your authenticator app.').waitFor({ timeout: 20_000 });
    // The current step confirmed the setup; the next one is within the accepted window.
    await page.getByLabel('One-time code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${env.portal.url}/`);
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'unitadmin_2');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a Super Admin resets a lost authenticator app; the user logs in with an emailed code', async () => {
    // unitadmin_2 switched to an authenticator app in the test above.
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'superadmin');
    await admin.page.goto(`${env.portal.url}/users`);
    await waitForHydration(admin.page);
    await admin.page.locator('tr[data-user="unitadmin_2"]').getByRole('button', { name: 'Reset authenticator' }).click();
    await admin.page.getByTestId('users-notice').waitFor();
    assert.equal(await admin.page.getByTestId('users-notice').textContent(), 'unitadmin_2 logs in with emailed codes from now on.');
    assert.equal(await admin.page.locator('tr[data-user="superadmin"] button').count(), 0, 'not on one\'s own row');
    assert.deepEqual(admin.problems, []);
    await admin.context.close();

    const { context, page } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_2');
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'unitadmin_2');
    await context.close();
  });

  test('changing the password keeps the account usable with the new one only', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'researchuser_2');
    await page.goto(`${env.portal.url}/account`);
    await waitForHydration(page);
    await page.getByLabel('Current password').fill('password');
    await page.getByLabel('New password', { exact: true }).fill('correct horse battery staple');
    await page.getByLabel('Repeat the new password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Change password' }).click();
    // Every session of the account ended with the change: the page goes to the login, which says
    // why, and shows nobody signed in any more.
    await page.waitForURL(`${env.portal.url}/login?changed=password`, { timeout: 20_000 });
    await page.getByTestId('password-changed').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('signed-in-user').count(), 0, 'the old session is not shown');

    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('researchuser_2');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-error').waitFor({ timeout: 20_000 });
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('code-form').waitFor({ timeout: 20_000 });
    await page.getByLabel('One-time code').fill(latestCode(env.portal.dataDir, 'researchuser_2@example.com'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${env.portal.url}/`);
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'researchuser_2');
    assert.deepEqual(problems.filter((p) => !p.includes('401') && !p.includes('400')), []);
    await context.close();
  });

  test('the server log never holds a password typed in these journeys', async () => {
    const log = env.portal.log();
    assert.ok(log.includes('signed in'), 'the log was captured');
    for (const typed of ['not the password', 'correct horse battery staple']) {
      assert.ok(!log.includes(typed), `"${typed}" is in the server log`);
    }
  });

  test('a visitor is asked to log in, is told where the code went, and comes back to the page', async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/projects/someunit00001`);
    await waitForHydration(page);
    await page.getByTestId('login-needed').waitFor();
    await page.getByTestId('login-needed-link').click();
    await page.waitForURL(`${env.portal.url}/login?next=/projects/someunit00001`);
    await waitForHydration(page);
    const password = async () => {
      await page.getByLabel('Username').fill('researchuser_1');
      await page.getByLabel('Password').fill('password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('code-form').waitFor({ timeout: 20_000 });
      return page.getByTestId('code-hint').textContent();
    };
    assert.equal(await password(), 'We sent a one-time code to re…@example.com. It is valid for 15 minutes.');

    // Another code within the minute: the last one is still the one to use.
    await page.getByTestId('resend-code').click();
    await page.getByTestId('code-notice').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('code-notice').textContent(), /still valid/);

    // Back to the password, and on again.
    await page.getByTestId('login-back').click();
    await page.getByTestId('password-form').waitFor();
    assert.match(await password(), /less than a minute ago/);
    await page.getByLabel('One-time code').fill(latestCode(env.portal.dataDir, 'researchuser_1@example.com'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${env.portal.url}/projects/someunit00001`);
    await page.getByTestId('signed-in-user').waitFor();
    assert.deepEqual(problems, [], 'a visitor makes no API call that answers 401');
  });
});
