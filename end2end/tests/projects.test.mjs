// Projects as the account system needs them, in the browser (DESIGN §3): a Unit Admin creates a
// project (key pair made and sealed to the unit key here), invites a Project Owner by email (the
// project key sealed into the invite), the new Project Owner adds an existing Researcher (sealed
// to them by the owner's browser), and a Researcher who resets their password is "access
// pending" until a Unit Admin's browser restores the key. Every "holds the key" below is the page
// opening the key and comparing it with the project's public key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, newestMail, openPage, seededPortal, waitForHydration } from './portal.mjs';

const HOLDS_KEY = 'Your browser holds the project key.';

async function openProject(page, portal, id) {
  await page.goto(`${portal.url}/projects/${id}`);
  await waitForHydration(page);
  await page.getByTestId('project-title').waitFor();
}

async function projectKeyState(page) {
  const state = page.getByTestId('project-key');
  await page.waitForFunction(() => !document.querySelector('[data-testid=project-key]')?.textContent.includes('Opening'), null, { timeout: 20_000 });
  return state.textContent();
}

async function memberAccess(page, username) {
  return page.locator(`tr[data-member="${username}"] [data-testid=member-access]`).textContent();
}

describe('projects', () => {
  const env = seededPortal();

  test('a Unit Admin creates a project and invites its owner, who adds an existing researcher', async () => {
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_1');
    await admin.page.goto(`${env.portal.url}/projects`);
    await waitForHydration(admin.page);
    await admin.page.locator('tr[data-project="someunit00001"]').waitFor();
    await admin.page.getByLabel('Title').fill('Tumour genomes');
    await admin.page.getByLabel('Description').fill('Whole-genome sequencing of 40 samples');
    await admin.page.getByLabel('PI (email)').fill('pi@localhost');
    await admin.page.getByRole('button', { name: 'Create project' }).click();
    assert.equal(await admin.page.getByTestId('project-error').textContent(), 'The PI must be given as a valid email address.');
    await admin.page.getByLabel('PI (email)').fill('pi@uni.example.org');
    await admin.page.getByRole('button', { name: 'Create project' }).click();
    await admin.page.waitForURL(`${env.portal.url}/projects/someunit00002`, { timeout: 20_000 });
    await waitForHydration(admin.page);
    assert.equal(await admin.page.getByTestId('project-status').textContent(), 'In Progress');
    assert.equal(await projectKeyState(admin.page), HOLDS_KEY);

    // A new address: an invitation carrying the project key, as Project Owner.
    await admin.page.getByLabel('Email').fill('owner@uni.example.org');
    await admin.page.getByLabel('Project Owner').check();
    await admin.page.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.page.getByTestId('add-notice').waitFor({ timeout: 20_000 });
    assert.equal(await admin.page.getByTestId('add-notice').textContent(), 'An invitation was sent to owner@uni.example.org.');
    await admin.page.getByTestId('project-invites').getByText('owner@uni.example.org (Project Owner)').waitFor();

    const mail = newestMail(env.portal.dataDir, 'owner@uni.example.org', '/invite/');
    assert.match(mail, /Project Owner of the project someunit00002 \(Tumour genomes\)/);
    const link = mail.match(/http:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]+/)[0];
    const owner = await openPage(env.browser);
    await owner.page.goto(link);
    await waitForHydration(owner.page);
    assert.match(await owner.page.getByTestId('invite-projects').textContent(), /someunit00002 \(Tumour genomes\) as Project Owner/);
    await owner.page.getByLabel('Name', { exact: true }).fill('Olga Owner');
    await owner.page.getByLabel('Username').fill('olga');
    await owner.page.getByLabel('Password', { exact: true }).fill('owner passphrase 42');
    await owner.page.getByLabel('Repeat the password').fill('owner passphrase 42');
    await owner.page.getByLabel('I accept the terms of use').check();
    await owner.page.getByRole('button', { name: 'Create account' }).click();
    await owner.page.getByTestId('registered').waitFor({ timeout: 20_000 });
    await logIn(owner.page, env.portal, 'olga', { password: 'owner passphrase 42', email: 'owner@uni.example.org' });
    await openProject(owner.page, env.portal, 'someunit00002');
    assert.equal(await owner.page.getByTestId('project-capacity').textContent(), 'Project Owner');
    assert.equal(await projectKeyState(owner.page), HOLDS_KEY);

    // The owner adds a researcher who already has an account: added, and sealed at once.
    await owner.page.getByLabel('Email').fill('researchuser_2@example.com');
    await owner.page.getByRole('button', { name: 'Add', exact: true }).click();
    await owner.page.getByTestId('add-notice').waitFor({ timeout: 20_000 });
    assert.equal(await owner.page.getByTestId('add-notice').textContent(), 'researchuser_2 was added to the project.');
    await owner.page.locator('tr[data-member="researchuser_2"]').waitFor();
    assert.equal(await memberAccess(owner.page, 'researchuser_2'), 'yes');
    // Adding them again in the same capacity is refused with DDS's sentence.
    await owner.page.getByLabel('Email').fill('researchuser_2@example.com');
    await owner.page.getByRole('button', { name: 'Add', exact: true }).click();
    await owner.page.getByTestId('add-error').waitFor();
    assert.match(await owner.page.getByTestId('add-error').textContent(), /already associated with the project someunit00002 in this capacity/);

    const researcher = await openPage(env.browser);
    await logIn(researcher.page, env.portal, 'researchuser_2');
    await researcher.page.goto(`${env.portal.url}/projects`);
    await waitForHydration(researcher.page);
    await researcher.page.locator('tr[data-project="someunit00002"]').waitFor();
    await openProject(researcher.page, env.portal, 'someunit00002');
    assert.equal(await researcher.page.getByTestId('project-capacity').textContent(), 'Researcher');
    assert.equal(await projectKeyState(researcher.page), HOLDS_KEY);
    assert.equal(await researcher.page.getByTestId('add-researcher').count(), 0, 'plain researchers add nobody');

    for (const { page, problems, context } of [admin, owner, researcher]) {
      // The refused second addition's 403 is the only error a console saw.
      assert.deepEqual(problems.filter((p) => !p.includes('403')), [], page.url());
      await context.close();
    }
  });

  test('after a password reset a researcher is access pending until a Unit Admin opens the portal', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/reset-password`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill('researchuser_1@example.com');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByTestId('reset-requested').waitFor();
    const mail = newestMail(env.portal.dataDir, 'researchuser_1@example.com', '/reset-password/');
    await page.goto(mail.match(/http:\/\/[^\s"<]+\/reset-password\/[A-Za-z0-9_-]+/)[0]);
    await waitForHydration(page);
    await page.getByLabel('New password', { exact: true }).fill('a fresh start passphrase');
    await page.getByLabel('Repeat the new password').fill('a fresh start passphrase');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByTestId('reset-done').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('reset-done').textContent(), /Display Name/, 'the project unit to contact');

    await logIn(page, env.portal, 'researchuser_1', { password: 'a fresh start passphrase' });
    await openProject(page, env.portal, 'someunit00001');
    assert.match(await projectKeyState(page), /access to this project is pending/);

    // A Unit Admin opens any page: their browser seals the project key to the new key pair.
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_2');
    await openProject(admin.page, env.portal, 'someunit00001');
    await admin.page.waitForFunction(async () => {
      const details = await (await fetch('/api/v1/projects/someunit00001')).json();
      return details.members.find((m) => m.username === 'researchuser_1')?.access === true;
    }, null, { timeout: 20_000 });

    await openProject(page, env.portal, 'someunit00001');
    assert.equal(await projectKeyState(page), HOLDS_KEY);
    assert.equal(await page.getByTestId('project-capacity').textContent(), 'Project Owner');
    assert.deepEqual(problems, []);
    assert.deepEqual(admin.problems, []);
    await admin.context.close();
    await context.close();
  });
});
