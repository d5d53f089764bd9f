// Projects in the browser (DESIGN §3, docs/security.md "Threat model"): a Unit Admin creates a
// project (key pair made and sealed to the unit key here) and invites a Project Owner by email
// (the invite carries no key); after registration the owner waits for access until the Unit
// Admin, having compared the owner's key fingerprint, approves; the owner then adds an existing
// Researcher and approves them the same way. After a password reset access comes back only
// through an approval. Every "holds the key" below is the page opening the key and comparing it
// with the project's public key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approve, inviteLink, logIn, myFingerprint, newestMail, openPage, register, seededPortal, waitForHydration,
} from './portal.mjs';

const HOLDS_KEY = 'Your browser holds the project key.';
const WAITING = /access to this project is waiting for approval/;
const POOL_READY = "This browser encrypts and decrypts the project's files itself.";

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

// The crypto worker pool (app/src/client/transfer.rs) starts once the project key opens and
// checks itself: a buffer encrypted to a fresh key and decrypted back through its Web Workers.
async function cryptoPoolState(page) {
  const state = page.getByTestId('crypto-pool');
  await state.waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid=crypto-pool]')?.textContent.includes('Starting'), null, { timeout: 20_000 });
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
    assert.equal(await cryptoPoolState(admin.page), POOL_READY);

    // A new address: an invitation (no key in it), as Project Owner.
    await admin.page.getByLabel('Email').fill('owner@uni.example.org');
    await admin.page.getByLabel('Project Owner').check();
    await admin.page.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.page.getByTestId('add-notice').waitFor({ timeout: 20_000 });
    assert.equal(await admin.page.getByTestId('add-notice').textContent(), 'An invitation was sent to owner@uni.example.org.');
    await admin.page.getByTestId('project-invites').getByText('owner@uni.example.org (Project Owner)').waitFor();

    const mail = newestMail(env.portal.dataDir, 'owner@uni.example.org', '/invite/');
    assert.match(mail, /Project Owner of the project someunit00002 \(Tumour genomes\)/);
    const owner = await openPage(env.browser);
    await owner.page.goto(inviteLink(env.portal.dataDir, 'owner@uni.example.org'));
    await waitForHydration(owner.page);
    assert.match(await owner.page.getByTestId('invite-projects').textContent(), /someunit00002 \(Tumour genomes\) as Project Owner/);
    const shownAtRegistration = await register(owner.page, inviteLink(env.portal.dataDir, 'owner@uni.example.org'), {
      name: 'Olga Owner', username: 'olga', password: 'owner passphrase 42',
    });
    await owner.page.getByTestId('waits-for-approval').waitFor();
    await logIn(owner.page, env.portal, 'olga', { password: 'owner passphrase 42', email: 'owner@uni.example.org' });
    const olgaPrint = await myFingerprint(owner.page, env.portal);
    assert.equal(olgaPrint, shownAtRegistration);
    await openProject(owner.page, env.portal, 'someunit00002');
    assert.equal(await owner.page.getByTestId('project-capacity').textContent(), 'Project Owner');
    assert.match(await projectKeyState(owner.page), WAITING, 'the owner waits for access');

    // The Unit Admin is told, sees the request with the fingerprint, and approves.
    assert.match(newestMail(env.portal.dataDir, 'unitadmin_1@example.com', 'is waiting for access'), /someunit00002/);
    await openProject(admin.page, env.portal, 'someunit00002');
    const request = admin.page.locator('tr[data-waiting="olga"]');
    await request.waitFor({ timeout: 20_000 });
    assert.match(await request.textContent(), /Olga Owner.*olga.*owner@uni\.example\.org.*Researcher.*Invited by .*unitadmin_1/);
    await approve(admin.page, 'olga', olgaPrint);
    await admin.page.getByTestId('approval-notice').waitFor({ timeout: 20_000 });
    assert.equal(await admin.page.locator('tr[data-waiting="olga"]').count(), 0);
    await openProject(owner.page, env.portal, 'someunit00002');
    assert.equal(await projectKeyState(owner.page), HOLDS_KEY);

    // The owner adds a researcher who already has an account, then approves them.
    await owner.page.getByLabel('Email').fill('researchuser_2@example.com');
    await owner.page.getByRole('button', { name: 'Add', exact: true }).click();
    await owner.page.getByTestId('add-notice').waitFor({ timeout: 20_000 });
    assert.match(await owner.page.getByTestId('add-notice').textContent(), /^researchuser_2 was added to the project\. Their access waits for your approval/);
    await owner.page.locator('tr[data-member="researchuser_2"]').waitFor();
    assert.equal(await memberAccess(owner.page, 'researchuser_2'), 'waiting for approval');
    // Adding them again in the same capacity is refused with DDS's sentence.
    await owner.page.getByLabel('Email').fill('researchuser_2@example.com');
    await owner.page.getByRole('button', { name: 'Add', exact: true }).click();
    await owner.page.getByTestId('add-error').waitFor();
    assert.match(await owner.page.getByTestId('add-error').textContent(), /already associated with the project someunit00002 in this capacity/);

    const researcher = await openPage(env.browser);
    await logIn(researcher.page, env.portal, 'researchuser_2');
    const researcherPrint = await myFingerprint(researcher.page, env.portal);
    await openProject(researcher.page, env.portal, 'someunit00002');
    assert.match(await projectKeyState(researcher.page), WAITING);
    await openProject(owner.page, env.portal, 'someunit00002');
    await approve(owner.page, 'researchuser_2', researcherPrint);
    await owner.page.getByTestId('approval-notice').waitFor({ timeout: 20_000 });
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

  test('after a password reset access comes back only through an approval', async () => {
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
    assert.match(await page.getByTestId('reset-done').textContent(), /Demo Sequencing Facility/, 'the project unit to contact');

    await logIn(page, env.portal, 'researchuser_1', { password: 'a fresh start passphrase' });
    const print = await myFingerprint(page, env.portal);
    await openProject(page, env.portal, 'someunit00001');
    assert.match(await projectKeyState(page), WAITING);

    // A Unit Admin opens pages: nothing is sealed until they approve.
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_2');
    await openProject(admin.page, env.portal, 'someunit00001');
    const request = admin.page.locator('tr[data-waiting="researchuser_1"]');
    await request.waitFor({ timeout: 20_000 });
    assert.match(await request.textContent(), /Reset their password/);
    await openProject(page, env.portal, 'someunit00001');
    assert.match(await projectKeyState(page), WAITING, 'still waiting after the Unit Admin opened pages');

    await approve(admin.page, 'researchuser_1', print);
    await admin.page.getByTestId('approval-notice').waitFor({ timeout: 20_000 });
    await openProject(page, env.portal, 'someunit00001');
    assert.equal(await projectKeyState(page), HOLDS_KEY);
    assert.equal(await page.getByTestId('project-capacity').textContent(), 'Project Owner');
    assert.deepEqual(problems, []);
    assert.deepEqual(admin.problems, []);
    await admin.context.close();
    await context.close();
  });
});
