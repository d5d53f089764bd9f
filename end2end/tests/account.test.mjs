// Account journeys in the browser: deleting one's own account by the emailed link, a Unit Admin
// deleting a colleague from the users page, and the Super Admin console (a MOTD becomes a banner).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { latestCode, logIn, newestMail, openPage, seededPortal, waitForHydration } from './portal.mjs';

describe('account', () => {
  const env = seededPortal();

  test('a researcher deletes their own account through the emailed link', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'researchuser_2');
    await page.goto(`${env.portal.url}/account`);
    await waitForHydration(page);
    await page.getByTestId('deletion-request').click();
    await page.getByTestId('deletion-requested').waitFor();
    assert.match(await page.getByTestId('deletion-requested').textContent(), /researchuser_2@example\.com/);

    const mail = newestMail(env.portal.dataDir, 'researchuser_2@example.com', '/confirm-deletion/');
    assert.match(mail, /Confirm deletion of your user account researchuser_2/);
    const link = mail.match(/http:\/\/[^\s"<]+\/confirm-deletion\/[A-Za-z0-9_-]+/)[0];

    // Without a login, the link asks for one, and the login page brings the user back to it.
    const visitor = await openPage(env.browser);
    await visitor.page.goto(link);
    await visitor.page.getByTestId('deletion-login').waitFor();
    assert.match(await visitor.page.getByTestId('deletion-login').textContent(), /Please log in to confirm your account deletion\./);
    await waitForHydration(visitor.page);
    await visitor.page.getByTestId('deletion-login-link').click();
    await visitor.page.waitForURL(/\/login\?next=/);
    await waitForHydration(visitor.page);
    await visitor.page.getByLabel('Username').fill('researchuser_2');
    await visitor.page.getByLabel('Password').fill('password');
    await visitor.page.getByRole('button', { name: 'Log in' }).click();
    await visitor.page.getByTestId('code-form').waitFor({ timeout: 20_000 });
    await visitor.page.getByLabel('One-time code').fill(latestCode(env.portal.dataDir, 'researchuser_2@example.com'));
    await visitor.page.getByRole('button', { name: 'Verify' }).click();
    await visitor.page.waitForURL(link);
    await waitForHydration(visitor.page);
    assert.equal(await visitor.page.getByTestId('deletion-username').textContent(), 'researchuser_2');
    await visitor.context.close();

    await page.goto(link);
    await waitForHydration(page);
    assert.equal(await page.getByTestId('deletion-username').textContent(), 'researchuser_2');
    await page.getByTestId('confirm-deletion').click();
    await page.getByTestId('account-deleted').waitFor();
    assert.equal(await page.getByTestId('account-deleted').textContent(), 'Your account has been deleted.');
    await page.locator('nav a[href="/login"]').waitFor();

    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Username').fill('researchuser_2');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-error').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('login-error').textContent(), 'Invalid username or password.');
    assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
    await context.close();
  });

  test('a Unit Admin is told why they cannot delete their own account', async () => {
    const { context, page } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    await page.goto(`${env.portal.url}/account`);
    await waitForHydration(page);
    await page.getByTestId('deletion-request').click();
    await page.getByTestId('deletion-request-error').waitFor();
    assert.match(await page.getByTestId('deletion-request-error').textContent(), /more than three Unit Admins/);
    await context.close();
  });

  test('a Unit Admin deletes a colleague after confirming', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_2');
    await page.goto(`${env.portal.url}/users`);
    await waitForHydration(page);
    assert.equal(await page.locator('tr[data-user="unitadmin_2"] button').count(), 0, 'no button on one\'s own row');
    const row = page.locator('tr[data-user="unituser_1"]');
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByText('Delete unituser_1? This cannot be undone.').waitFor();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await page.locator('tr[data-user="unituser_1"]').waitFor({ state: 'detached' });
    // The list is fetched again after the deletion: the colleague who was not deleted is back.
    await page.locator('tr[data-user="unituser_2"]').waitFor();
    assert.equal(await page.locator('tr[data-user="unituser_1"]').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a Super Admin publishes a message of the day that every page shows', async () => {
    const refused = await openPage(env.browser);
    await logIn(refused.page, env.portal, 'researchuser_1');
    assert.equal(await refused.page.locator('nav a[href="/admin"]').count(), 0);
    await refused.page.goto(`${env.portal.url}/admin`);
    await refused.page.getByTestId('admin-refused').waitFor();
    assert.equal(await refused.page.getByTestId('admin-refused').textContent(), 'Only Super Admins can see this page.');
    await refused.context.close();

    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'superadmin');
    assert.equal(await page.locator('nav a[href="/admin"]').count(), 1);
    await page.goto(`${env.portal.url}/admin`);
    await waitForHydration(page);
    await page.getByTestId('maintenance-state').waitFor();
    assert.match(await page.getByTestId('maintenance-state').textContent(), /Maintenance is off/);
    await page.getByLabel('New message').fill('Planned upgrade on Friday 18:00');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('motd-list').getByText('Planned upgrade on Friday 18:00').waitFor();
    await page.getByRole('button', { name: 'Email to unit users' }).click();
    await page.getByTestId('motd-status').waitFor();
    // 3 Unit Admins and the one Unit Personnel left by the test above.
    assert.equal(await page.getByTestId('motd-status').textContent(), 'Sending the message to 4 recipients.');

    await page.goto(`${env.portal.url}/`);
    await page.getByTestId('motd').getByText('Planned upgrade on Friday 18:00').waitFor();
    const visitor = await openPage(env.browser);
    await visitor.page.goto(`${env.portal.url}/`);
    await visitor.page.getByTestId('motd').getByText('Planned upgrade on Friday 18:00').waitFor();
    await visitor.context.close();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
