// The Super Admin console's units and background tasks: a Super Admin creates a unit (a wrong
// field is named before anything is sent), edits it, and sees that no removal is pending; a Unit
// Admin is refused the console.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
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
