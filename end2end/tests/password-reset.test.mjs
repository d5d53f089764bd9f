// Forgotten password in the browser: the login page leads to the request form, the link from
// the outbox to the new-password page (a new key pair made in the env.browser), and the account
// then logs in with the new password only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, newestMail, openPage, seededPortal, waitForHydration } from './portal.mjs';

describe('password reset', () => {
  const env = seededPortal();

  test('a researcher resets a forgotten password by email link and logs in with the new one', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${env.portal.url}/reset-password`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill('researchuser_1@example.com');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByTestId('reset-requested').waitFor();
    assert.match(await page.getByTestId('reset-requested').textContent(), /If the specified email address is registered/);

    // Long lines (the link) are quoted-printable: join the soft line breaks.
    const mail = newestMail(env.portal.dataDir, 'researchuser_1@example.com', '/reset-password/');
    assert.match(mail, /WARNING! Password Reset Request for the Data Delivery System/);
    const link = mail.match(/http:\/\/[^\s"<]+\/reset-password\/[A-Za-z0-9_-]+/)[0];
    await page.goto(link);
    await waitForHydration(page);
    await page.getByTestId('reset-account').waitFor();
    assert.match(await page.getByTestId('reset-account').textContent(), /researchuser_1/);
    assert.match(await page.getByTestId('reset-warning').textContent(), /lose access/);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Reset password' }).click();
    assert.equal(await page.getByTestId('reset-error').textContent(), 'The password must be at least 10 characters long.');
    await page.getByLabel('New password', { exact: true }).fill('a fresh start passphrase');
    await page.getByLabel('Repeat the new password').fill('a fresh start passphrase');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByTestId('reset-done').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('reset-done').textContent(), /Your password has been reset\./);
    assert.equal(await page.getByTestId('reset-done').getByRole('link', { name: 'Log in' }).count(), 1);

    // The link is used up.
    await page.goto(link);
    await waitForHydration(page);
    await page.getByTestId('reset-invalid').waitFor();
    assert.match(await page.getByTestId('reset-invalid').textContent(), /already used this link/);

    await logIn(page, env.portal, 'researchuser_1', { password: 'a fresh start passphrase' });
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'researchuser_1');
    // The used link's 410 is the only error the console saw.
    assert.deepEqual(problems.filter((p) => !p.includes('410')), []);
    await context.close();
  });
});
