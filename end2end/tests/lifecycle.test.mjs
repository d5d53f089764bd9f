// A project's life in the browser (DDS §4): a Unit Admin creates a project and adds an existing
// researcher, who is approved once the admin has compared the key fingerprint; the admin releases
// it (the researcher is mailed the deadline), extends the deadline in two steps, retracts and
// releases it again; the researcher then sees it Available, holds its key and gets its file
// browser. Researchers are offered no status changes. (The deadline jobs run against a moved
// clock in deadlines.test.mjs and server/tests/api/lifecycle_jobs.rs.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approve, logIn, myFingerprint, newestMail, openPage, seededPortal, waitForHydration } from './portal.mjs';

const HOLDS_KEY = 'Your browser holds the project key.';

async function openProject(page, portal, id) {
  await page.goto(`${portal.url}/projects/${id}`);
  await waitForHydration(page);
  await page.getByTestId('status-now').waitFor({ timeout: 20_000 });
}

async function notice(page, expected) {
  const status = page.getByTestId('status-notice');
  await status.waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    (text) => document.querySelector('[data-testid=status-notice]')?.textContent === text, expected, { timeout: 20_000 },
  );
}

/** Waits until the test id's text is `expected` (the panel reloads after each change). */
async function shows(page, testId, expected) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid=${id}]`)?.textContent === text, [testId, expected], { timeout: 20_000 },
  );
}

/** Waits until the test id's text is no longer `old`, and answers the new text. */
async function changesFrom(page, testId, old) {
  await page.waitForFunction(
    ([id, text]) => {
      const now = document.querySelector(`[data-testid=${id}]`)?.textContent;
      return now !== undefined && now !== text;
    },
    [testId, old],
    { timeout: 20_000 },
  );
  return page.getByTestId(testId).textContent();
}

describe('project lifecycle', () => {
  const env = seededPortal();

  test('create, add a researcher, release, extend, retract and release again; the researcher sees it Available', async () => {
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_1');
    await admin.page.goto(`${env.portal.url}/projects`);
    await waitForHydration(admin.page);
    await admin.page.getByLabel('Title').fill('Lifecycle study');
    await admin.page.getByLabel('Description').fill('Released, extended, retracted and released again');
    await admin.page.getByLabel('PI (email)').fill('pi@uni.example.org');
    await admin.page.getByRole('button', { name: 'Create project' }).click();
    await admin.page.waitForURL(/\/projects\/someunit\d{5}$/, { timeout: 20_000 });
    const project = admin.page.url().split('/').pop();
    assert.notEqual(project, 'someunit00001', 'a new project, not the seeded one');
    await openProject(admin.page, env.portal, project);
    assert.equal(await admin.page.getByTestId('status-now').textContent(), 'In Progress');

    // An existing researcher is added; their access waits until the admin approves their key.
    await admin.page.getByLabel('Email').fill('researchuser_2@example.com');
    await admin.page.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.page.getByTestId('add-notice').waitFor({ timeout: 20_000 });
    const researcher = await openPage(env.browser);
    await logIn(researcher.page, env.portal, 'researchuser_2');
    const print = await myFingerprint(researcher.page, env.portal);
    await openProject(admin.page, env.portal, project);
    await approve(admin.page, 'researchuser_2', print);
    await admin.page.getByTestId('approval-notice').waitFor({ timeout: 20_000 });

    await admin.page.getByTestId('status-days').fill('10');
    await admin.page.getByTestId('release').click();
    await notice(admin.page, `Project ${project} updated to status Available. An e-mail notification has been sent.`);
    await shows(admin.page, 'status-now', 'Available');
    const deadline = await changesFrom(admin.page, 'status-deadline', 'None');
    assert.match(deadline, /^\d{4}-\d{2}-\d{2} 23:59:59 UTC$/);
    const mail = newestMail(env.portal.dataDir, 'researchuser_2@example.com', 'Project made available by');
    assert.ok(mail.includes(project), mail);
    assert.ok(mail.includes(`Your access to this project will expire on ${deadline}`), mail);

    // Extending asks first, then extends.
    await admin.page.getByTestId('status-days').fill('5');
    await admin.page.getByTestId('extend').click();
    await admin.page.getByTestId('extend-confirm').getByText('Operation must be confirmed before proceeding.', { exact: false }).waitFor();
    await admin.page.getByTestId('extend-yes').click();
    await notice(admin.page, `The deadline of project ${project} was extended.`);
    const extended = await changesFrom(admin.page, 'status-deadline', deadline);

    await admin.page.getByTestId('retract').click();
    await notice(admin.page, `Project ${project} updated to status In Progress.`);
    await shows(admin.page, 'status-now', 'In Progress');
    await admin.page.getByTestId('release').click();
    await notice(admin.page, `Project ${project} updated to status Available. An e-mail notification has been sent.`);
    await shows(admin.page, 'status-now', 'Available');
    assert.equal(await admin.page.getByTestId('status-deadline').textContent(), extended, 'the countdown does not pause');
    // The extension's first step is answered 409 with the question (DDS's two-step confirmation,
    // like project creation with two Unit Admins); Chromium logs that answer. Nothing else.
    const expected = 'console: Failed to load resource: the server responded with a status of 409 (Conflict)';
    assert.deepEqual(admin.problems.filter((p) => p !== expected), []);

    await openProject(researcher.page, env.portal, project);
    assert.equal(await researcher.page.getByTestId('status-now').textContent(), 'Available');
    await researcher.page.waitForFunction(() => !document.querySelector('[data-testid=project-key]')?.textContent.includes('Opening'), null, { timeout: 20_000 });
    assert.equal(await researcher.page.getByTestId('project-key').textContent(), HOLDS_KEY);
    await researcher.page.getByTestId('file-browser').waitFor();
    await researcher.page.getByTestId('files-empty').waitFor({ timeout: 20_000 });
    assert.equal(await researcher.page.getByTestId('release').count(), 0, 'no status changes offered');
    assert.deepEqual(researcher.problems, []);
  });
});
