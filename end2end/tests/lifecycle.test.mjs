// A project's life in the browser (DDS §4): a Unit Admin releases the seeded project (its
// researchers are mailed the deadline), extends the deadline in two steps, retracts and
// releases it again; a researcher then sees it Available with its file browser. Researchers are
// offered no status changes. (The deadline jobs are tested against the server's clock in
// server/tests/api/lifecycle_jobs.rs.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, newestMail, openPage, seededPortal, waitForHydration } from './portal.mjs';

const PROJECT = 'someunit00001';

async function openProject(page, portal) {
  await page.goto(`${portal.url}/projects/${PROJECT}`);
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

  test('release, extend, retract and release again; the researcher sees it Available', async () => {
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_1');
    await openProject(admin.page, env.portal);
    assert.equal(await admin.page.getByTestId('status-now').textContent(), 'In Progress');

    await admin.page.getByTestId('status-days').fill('10');
    await admin.page.getByTestId('release').click();
    await notice(admin.page, `Project ${PROJECT} updated to status Available. An e-mail notification has been sent.`);
    await shows(admin.page, 'status-now', 'Available');
    const deadline = await changesFrom(admin.page, 'status-deadline', 'None');
    assert.match(deadline, /^\d{4}-\d{2}-\d{2} 23:59:59 UTC$/);
    const mail = newestMail(env.portal.dataDir, 'researchuser_1@example.com', 'Project made available by');
    assert.ok(mail.includes(`Your access to this project will expire on ${deadline}`), mail);

    // Extending asks first, then extends.
    await admin.page.getByTestId('status-days').fill('5');
    await admin.page.getByTestId('extend').click();
    await admin.page.getByTestId('extend-confirm').getByText('Operation must be confirmed before proceeding.', { exact: false }).waitFor();
    await admin.page.getByTestId('extend-yes').click();
    await notice(admin.page, `The deadline of project ${PROJECT} was extended.`);
    const extended = await changesFrom(admin.page, 'status-deadline', deadline);

    await admin.page.getByTestId('retract').click();
    await notice(admin.page, `Project ${PROJECT} updated to status In Progress.`);
    await shows(admin.page, 'status-now', 'In Progress');
    await admin.page.getByTestId('release').click();
    await notice(admin.page, `Project ${PROJECT} updated to status Available. An e-mail notification has been sent.`);
    await shows(admin.page, 'status-now', 'Available');
    assert.equal(await admin.page.getByTestId('status-deadline').textContent(), extended, 'the countdown does not pause');
    // The extension's first step is answered 409 with the question (DDS's two-step confirmation,
    // like project creation with two Unit Admins); Chromium logs that answer. Nothing else.
    const expected = 'console: Failed to load resource: the server responded with a status of 409 (Conflict)';
    assert.deepEqual(admin.problems.filter((p) => p !== expected), []);

    const researcher = await openPage(env.browser);
    await logIn(researcher.page, env.portal, 'researchuser_2');
    await openProject(researcher.page, env.portal);
    assert.equal(await researcher.page.getByTestId('status-now').textContent(), 'Available');
    await researcher.page.getByTestId('file-browser').waitFor();
    await researcher.page.getByTestId('files-empty').waitFor({ timeout: 20_000 });
    assert.equal(await researcher.page.getByTestId('release').count(), 0, 'no status changes offered');
    assert.deepEqual(researcher.problems, []);
  });
});
