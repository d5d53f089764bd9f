// The invite journey in the browser: a Unit Admin invites a researcher, the link from the
// outbox leads to registration (keys made in the invitee's env.browser), the new account logs in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approve, inviteLink, logIn, myFingerprint, newestMail, openPage, register, seededPortal, waitForHydration,
} from './portal.mjs';

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

  // docs/security.md "Threat model": invites carry no key and nothing is sealed automatically.
  async function invite(portal, inviter, email, role, unitId) {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, portal, inviter);
    await page.goto(`${portal.url}/invites`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Role').selectOption(role);
    if (unitId) await page.getByLabel('Unit id (for unit staff)').fill(String(unitId));
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByTestId('invite-sent').waitFor({ timeout: 20_000 });
    assert.deepEqual(problems, []);
    await context.close();
  }

  async function unitKeyState(page, portal) {
    await page.goto(`${portal.url}/account`);
    await waitForHydration(page);
    const held = page.getByTestId('unit-key-held');
    const pending = page.getByTestId('unit-key-pending');
    await held.or(pending).waitFor({ timeout: 20_000 });
    return (await held.count()) ? 'held' : 'waiting';
  }

  test('colleagues wait for the unit key until a Unit Admin approves, also when a Super Admin invited them', async () => {
    await invite(env.portal, 'unitadmin_2', 'new.colleague@example.org', 'Unit Personnel');
    await invite(env.portal, 'superadmin', 'sa.invited@example.org', 'Unit Admin', 1);
    const people = [
      { email: 'new.colleague@example.org', username: 'new_colleague', name: 'New Colleague' },
      { email: 'sa.invited@example.org', username: 'sa_invited', name: 'Invited By Operator' },
    ];
    for (const person of people) {
      const tab = await openPage(env.browser);
      person.tab = tab;
      person.shown = await register(tab.page, inviteLink(env.portal.dataDir, person.email), { ...person, password: 'a long enough passphrase' });
      await tab.page.getByTestId('waits-for-approval').waitFor();
      await logIn(tab.page, env.portal, person.username, { password: 'a long enough passphrase', email: person.email });
      person.print = await myFingerprint(tab.page, env.portal);
      assert.equal(person.print, person.shown);
      assert.equal(await unitKeyState(tab.page, env.portal), 'waiting', person.username);
    }
    // The Unit Admins holding the key were told; opening pages seals nothing.
    assert.match(newestMail(env.portal.dataDir, 'unitadmin_1@example.com', 'is waiting for access'), /\/users/);
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_1');
    await admin.page.goto(`${env.portal.url}/users`);
    await waitForHydration(admin.page);
    await admin.page.locator('tr[data-waiting="sa_invited"]').waitFor({ timeout: 20_000 });
    assert.match(await admin.page.locator('tr[data-waiting="sa_invited"]').textContent(), /Unit Admin.*Invited by .*superadmin/);
    assert.equal(await unitKeyState(people[1].tab.page, env.portal), 'waiting', 'nothing sealed by opening pages');

    // A Unit Personnel sees no requests to approve; a Super Admin has no unit key page at all.
    const personnel = await openPage(env.browser);
    await logIn(personnel.page, env.portal, 'unituser_1');
    await personnel.page.goto(`${env.portal.url}/users`);
    await waitForHydration(personnel.page);
    await personnel.page.getByTestId('users').waitFor();
    assert.equal(await personnel.page.locator('tr[data-waiting]').count(), 0);
    await personnel.context.close();

    for (const person of people) {
      await approve(admin.page, person.username, person.print);
      await admin.page.getByTestId('users-notice').waitFor({ timeout: 20_000 });
      await admin.page.locator(`tr[data-waiting="${person.username}"]`).waitFor({ state: 'detached', timeout: 20_000 });
      assert.equal(await unitKeyState(person.tab.page, env.portal), 'held', person.username);
      assert.deepEqual(person.tab.problems, []);
      await person.tab.context.close();
    }
    assert.deepEqual(admin.problems, []);
    await admin.context.close();
  });

  test('a registration form submitted before the page is live sends no password anywhere', async () => {
    await invite(env.portal, 'unitadmin_1', 'early.bird@example.org', 'Researcher');
    const link = inviteLink(env.portal.dataDir, 'early.bird@example.org');
    // No JavaScript: the page stays as the server rendered it, as before hydration.
    const { context, page } = await openPage(env.browser, { javaScriptEnabled: false });
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(link);
    const submit = page.getByRole('button', { name: 'Create account' });
    await submit.waitFor();
    assert.equal(await submit.isDisabled(), true, 'submit waits for the page to be live');
    assert.equal(await page.locator('input[type=password][name]').count(), 0, 'secret fields have no name');
    await page.getByLabel('Username').fill('early_bird');
    await page.getByLabel('Password', { exact: true }).fill('a secret typed too early');
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await new Promise((r) => setTimeout(r, 500));
    for (const url of [page.url(), ...requests]) {
      assert.ok(!url.includes('secret') && !url.includes('password='), url);
    }
    assert.ok(!env.portal.log().includes('a secret typed too early'));
    await context.close();
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
