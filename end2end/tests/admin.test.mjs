// The Super Admin console's units and background tasks: a Super Admin creates a unit (a wrong
// field is named before anything is sent), edits it, sees that no removal is pending, and retries
// a task that failed; a Unit Admin is refused the console and its actions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { logIn, openPage, seededPortal, waitForHydration } from './portal.mjs';

async function fillUnit(page, fields) {
  const form = page.getByTestId('unit-form');
  for (const [label, value] of Object.entries(fields)) {
    await form.getByLabel(label, { exact: true }).fill(value);
  }
}

describe('admin console: units and tasks', () => {
  const env = seededPortal();

  test('a Super Admin creates and edits a unit', async () => {
    const { page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'superadmin');
    await page.goto(`${env.portal.url}/admin`);
    await waitForHydration(page);
    await page.getByTestId('units').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid=units] tbody tr').count(), 1, 'the seeded unit');

    await fillUnit(page, {
      'Public id': 'imaging-lab',
      Name: 'Imaging Lab',
      'Display name (researchers see it)': 'National Imaging Facility',
      'Contact email': 'imaging@example.org',
      'Internal reference (project ids start with it)': 'img',
      'Quota (TB)': '2.5',
      'Days in Available': '120',
    });
    await page.getByTestId('unit-submit').click();
    await page.getByTestId('units-error').waitFor();
    assert.equal(await page.getByTestId('units-error').textContent(), 'The days in Available must be between 1 and 90.');

    await fillUnit(page, { 'Days in Available': '60' });
    await page.getByTestId('unit-submit').click();
    await page.getByTestId('units-status').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('units-status').textContent(), 'Unit imaging-lab created.');
    const row = page.locator('[data-unit=imaging-lab]');
    await row.waitFor();
    assert.match(await row.textContent(), /National Imaging Facility.*imaging@example\.org.*2\.5 TB/);

    await page.getByRole('button', { name: 'Edit unit imaging-lab' }).click();
    assert.equal(await page.getByTestId('unit-form').getByLabel('Public id', { exact: true }).inputValue(), 'imaging-lab');
    await fillUnit(page, { 'Display name (researchers see it)': 'Imaging Facility Uppsala' });
    await page.getByTestId('unit-submit').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=units-status]')?.textContent === 'Unit imaging-lab saved.', null, { timeout: 20_000 },
    );
    await page.waitForFunction(
      () => document.querySelector('[data-unit=imaging-lab]')?.textContent.includes('Imaging Facility Uppsala'), null, { timeout: 20_000 },
    );

    await page.getByTestId('tasks-none').waitFor();
    assert.deepEqual(problems, []);
  });

  test('a Super Admin sees a failed task with its last error and retries it; a Unit Admin may not', async () => {
    // A removal that failed three times (as an unreachable storage endpoint leaves one), next due
    // in an hour: written straight into the portal's database, as a failing endpoint would leave it.
    execFileSync('python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""INSERT INTO tasks (kind, project_id, bucket, delete_bucket, created_at, attempts,
  next_attempt_at, last_error) SELECT 'remove_deleted_objects', id, NULL, 0, strftime('%s', 'now'), 3,
  strftime('%s', 'now') + 3600, 'the storage endpoint did not answer' FROM projects
  WHERE public_id = 'someunit00001'""")
db.commit()
`, join(env.portal.dataDir, 'dds.sqlite')]);

    const unitAdmin = await openPage(env.browser);
    await logIn(unitAdmin.page, env.portal, 'unitadmin_1');
    const refused = await unitAdmin.page.evaluate(async () => {
      const listed = await fetch('/api/v1/tasks');
      const retried = await fetch('/api/v1/tasks/1/retry', { method: 'POST' });
      return [listed.status, retried.status];
    });
    assert.deepEqual(refused, [403, 403]);
    await unitAdmin.context.close();

    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'superadmin');
    await page.goto(`${env.portal.url}/admin`);
    await waitForHydration(page);
    const row = page.locator('[data-testid=tasks] tbody tr');
    await row.waitFor({ timeout: 20_000 });
    const text = await row.textContent();
    assert.match(text, /Remove the objects of deleted files/);
    assert.match(text, /someunit00001/);
    assert.match(text, /the storage endpoint did not answer/);
    await row.getByRole('button', { name: /Retry/ }).click();
    await page.getByTestId('tasks-status').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('tasks-status').textContent(), /runs again within a few seconds/);
    // The task runner picks it up at its next poll (5 s); the console shows it gone.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.reload();
      await waitForHydration(page);
      await page.locator('[data-testid=tasks-none], [data-testid=tasks]').first().waitFor({ timeout: 20_000 });
      if (await page.getByTestId('tasks-none').count() > 0) break;
      if (Date.now() > deadline) assert.fail('the retried task did not finish');
      await page.waitForTimeout(2_000);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a Unit Admin is refused the console and its API', async () => {
    const { page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    await page.goto(`${env.portal.url}/admin`);
    await waitForHydration(page);
    await page.getByTestId('admin-refused').waitFor();
    assert.equal(await page.getByTestId('units-card').count(), 0);
    const answer = await page.evaluate(async () => (await fetch('/api/v1/units')).status);
    assert.equal(answer, 403);
    assert.deepEqual(problems.filter((p) => !p.includes('403')), []);
  });
});
