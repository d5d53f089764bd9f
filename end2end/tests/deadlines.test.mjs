// Deadlines pass on a running portal (DDS §4, the two daily jobs): a Unit Admin creates a
// project and releases it for 10 days; when the server's clock is moved past the deadline the
// jobs make it Expired, and 31 days later Archived (inactive: gone from the unit's pages). The
// clock is moved by writing the file named by DDS_CLOCK_OFFSET_FILE (seconds ahead of the system
// clock), never by waiting; the jobs look for due work every second (DDS_JOBS_TICK_SECS).
// Sessions and codes follow the moved clock, so each look is a fresh log-in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIn, openPage, seededPortal, waitForHydration } from './portal.mjs';

let project; // made by the test's Unit Admin
const DAY = 24 * 3600;
const clockFile = join(mkdtempSync(join(tmpdir(), 'dds-clock-')), 'offset');
writeFileSync(clockFile, '0');

async function statusNow(page, portal) {
  await page.goto(`${portal.url}/projects/${project}`);
  await waitForHydration(page);
  // The status, or the sentence the page shows instead of the project. The session-pruning job
  // may end a session just made (at the moved clock it is past its expiry): then the page asks
  // to log in, and the caller tries again with a fresh login.
  const shown = page.getByTestId('status-now').or(page.getByTestId('project-missing'))
    .or(page.getByTestId('login-needed'));
  await shown.waitFor({ timeout: 20_000 });
  return shown.textContent();
}

/**
 * Logs in afresh until the project page shows `expected` (the jobs run within a few ticks).
 * `consoleLine`: the one console error that page may log (the 404 of a project gone inactive).
 */
async function waitForStatus(browser, portal, expected, consoleLine) {
  let seen;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const { context, page, problems } = await openPage(browser);
    // A login at a freshly moved clock may miss its code (jobs and mail run on their tick): look again.
    const loggedIn = await logIn(page, portal, 'unitadmin_1').then(() => true, () => false);
    seen = loggedIn ? await statusNow(page, portal) : seen;
    await context.close();
    if (!loggedIn) continue;
    assert.deepEqual(problems.filter((p) => p !== consoleLine), []);
    if (seen === expected) return;
  }
  assert.fail(`the project stayed ${seen}, expected ${expected}`);
}

describe('deadlines on a running portal', () => {
  const env = seededPortal({ DDS_CLOCK_OFFSET_FILE: clockFile, DDS_JOBS_TICK_SECS: '1' });

  test('the jobs expire a released project at its deadline and archive it 30 days later', async () => {
    const admin = await openPage(env.browser);
    await logIn(admin.page, env.portal, 'unitadmin_1');
    await admin.page.goto(`${env.portal.url}/projects`);
    await waitForHydration(admin.page);
    await admin.page.getByLabel('Title').fill('Deadline study');
    await admin.page.getByLabel('Description').fill('Released for ten days, then left to the jobs');
    await admin.page.getByLabel('PI (email)').fill('pi@uni.example.org');
    await admin.page.getByRole('button', { name: 'Create project' }).click();
    await admin.page.waitForURL(/\/projects\/someunit\d{5}$/, { timeout: 20_000 });
    project = admin.page.url().split('/').pop();
    assert.notEqual(project, 'someunit00001', 'a new project, not the seeded one');
    assert.equal(await statusNow(admin.page, env.portal), 'In Progress');
    await admin.page.getByTestId('status-days').fill('10');
    await admin.page.getByTestId('release').click();
    await admin.page.waitForFunction(
      () => document.querySelector('[data-testid=status-now]')?.textContent === 'Available', null, { timeout: 20_000 },
    );
    assert.deepEqual(admin.problems, []);
    await admin.context.close();

    // The deadline is the end of day 10 (UTC): 11 days on, it has passed.
    writeFileSync(clockFile, String(11 * DAY));
    await waitForStatus(env.browser, env.portal, 'Expired');

    // Expired for at most 30 days (the unit's default), then Archived: an archived project is
    // inactive, so (as in DDS, which lists active projects) its page and the list no longer show it.
    writeFileSync(clockFile, String((11 + 31) * DAY));
    await waitForStatus(
      env.browser, env.portal, 'There is no such project, or you do not have access to it.',
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
    );
  });
});
