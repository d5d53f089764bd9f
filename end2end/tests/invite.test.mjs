// The invite journey in the browser: a Unit Admin invites a researcher, the link from the
// outbox leads to registration (keys made in the invitee's env.browser), the new account logs in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, newestMail, openPage, seededPortal, waitForHydration } from './portal.mjs';

describe('invites', () => {
  const env = seededPortal();

  test('a Unit Admin invites a researcher who registers and logs in', async () => {
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_1');
    await admin.page.goto(`${env.portal.url}/invites`);
    await waitForHydration(admin.page);
    await admin.page.getByLabel('Email').fill('new.researcher@example.org');
    await admin.page.getByLabel('Role').selectOption('Researcher');
    await admin.page.getByRole('button', { name: 'Send invitation' }).click();
    await admin.page.getByTestId('invite-sent').waitFor();
    await admin.page.getByTestId('pending-invites').getByText('new.researcher@example.org').waitFor();
    assert.deepEqual(admin.problems, []);
    await admin.context.close();

    const mail = newestMail(env.portal.dataDir, 'new.researcher@example.org', '/invite/');
    const link = mail.match(/http:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]+/)[0];
    const invitee = await openPage(env.browser);
    await invitee.page.goto(link);
    await waitForHydration(invitee.page);
    await invitee.page.getByTestId('invite-summary').waitFor();
    assert.match(await invitee.page.getByTestId('invite-summary').textContent(), /Researcher/);
    await invitee.page.getByLabel('Name', { exact: true }).fill('New Researcher');
    await invitee.page.getByLabel('Username').fill('new_researcher');
    await invitee.page.getByLabel('Password', { exact: true }).fill('short');
    await invitee.page.getByLabel('Repeat the password').fill('short');
    await invitee.page.getByRole('button', { name: 'Create account' }).click();
    assert.equal(await invitee.page.getByTestId('register-error').textContent(), 'The password must be at least 10 characters long.');
    await invitee.page.getByLabel('Password', { exact: true }).fill('a long enough passphrase');
    await invitee.page.getByLabel('Repeat the password').fill('a long enough passphrase');
    await invitee.page.getByRole('button', { name: 'Create account' }).click();
    assert.equal(await invitee.page.getByTestId('register-error').textContent(), 'Please accept the terms of use.');
    await invitee.page.getByLabel('I accept the terms of use').check();
    await invitee.page.getByRole('button', { name: 'Create account' }).click();
    await invitee.page.getByTestId('registered').waitFor({ timeout: 20_000 });

    await logIn(invitee.page, env.portal, 'new_researcher', { password: 'a long enough passphrase', email: 'new.researcher@example.org' });
    assert.equal(await invitee.page.getByTestId('signed-in-user').textContent(), 'new_researcher');

    // The link was used up.
    await invitee.page.goto(link);
    await waitForHydration(invitee.page);
    await invitee.page.getByTestId('invite-invalid').waitFor();
    await invitee.context.close();
  });

  test('a colleague invited by a Unit Admin receives the unit key through the invite', async () => {
    // DESIGN §3: the inviter's browser opens the unit key (with the key kept at login) and seals it
    // to the invite; the invitee's browser re-seals it to the key pair it makes.
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_2');
    await admin.page.goto(`${env.portal.url}/invites`);
    await waitForHydration(admin.page);
    await admin.page.getByLabel('Email').fill('new.colleague@example.org');
    await admin.page.getByLabel('Role').selectOption('Unit Personnel');
    await admin.page.getByRole('button', { name: 'Send invitation' }).click();
    await admin.page.getByTestId('invite-sent').waitFor({ timeout: 20_000 });
    assert.deepEqual(admin.problems, []);
    await admin.context.close();

    const mail = newestMail(env.portal.dataDir, 'new.colleague@example.org', '/invite/');
    const link = mail.match(/http:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]+/)[0];
    const invitee = await openPage(env.browser);
    await invitee.page.goto(link);
    await waitForHydration(invitee.page);
    await invitee.page.getByTestId('invite-summary').waitFor();
    await invitee.page.getByLabel('Name', { exact: true }).fill('New Colleague');
    await invitee.page.getByLabel('Username').fill('new_colleague');
    await invitee.page.getByLabel('Password', { exact: true }).fill('a long enough passphrase');
    await invitee.page.getByLabel('Repeat the password').fill('a long enough passphrase');
    await invitee.page.getByLabel('I accept the terms of use').check();
    await invitee.page.getByRole('button', { name: 'Create account' }).click();
    await invitee.page.getByTestId('registered').waitFor({ timeout: 20_000 });

    await logIn(invitee.page, env.portal, 'new_colleague', { password: 'a long enough passphrase', email: 'new.colleague@example.org' });
    await invitee.page.goto(`${env.portal.url}/account`);
    await waitForHydration(invitee.page);
    await invitee.page.getByTestId('keys-unlocked').waitFor();
    await invitee.page.getByTestId('unit-key-held').waitFor({ timeout: 20_000 });
    assert.deepEqual(invitee.problems, []);
    await invitee.context.close();
  });

  test('a Unit Admin deactivates and reactivates a colleague, not a researcher', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_3');
    await page.goto(`${env.portal.url}/users`);
    await waitForHydration(page);
    const row = page.locator('tr[data-user="unituser_2"]');
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByText('Deactivated').waitFor();
    await row.getByRole('button', { name: 'Reactivate' }).click();
    await row.getByText('Active', { exact: true }).waitFor();
    assert.equal(await page.locator('tr[data-user="researchuser_1"]').count(), 0, 'researchers are not listed for unit staff');
    assert.equal(await page.locator('tr[data-user="unitadmin_3"] button').count(), 0, 'no button on one\'s own row');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
