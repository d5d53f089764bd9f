// The unit dashboard (/unit) in Chromium: a Unit Admin sees the unit's storage, projects by status
// and deliveries in the first HTML (server-rendered, readable before the bundle runs), filters and
// searches the project list with the form, and pages through it with the links; Unit Personnel
// read it without the administration; a Researcher and a Super Admin are refused with a sentence,
// and a visitor is asked to log in. The activity lists the unit's audit events, filtered by action;
// the usage report charts byte-hours per month beside its table and exports CSV. Super Admins read
// DDS's statistics in their console.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inviteLink, logIn, openPage, seededPortal, waitForHydration } from './portal.mjs';

const PROJECT = 'someunit00001';

/** A link of the dashboard's tabs (the site's navigation has links of the same names). */
const tab = (page, name) => page.getByRole('navigation', { name: 'Unit dashboard' }).getByRole('link', { name, exact: true });

describe('unit dashboard', () => {
  const env = seededPortal();

  test('a Unit Admin reads the overview and finds a project with the filter', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    // The server's HTML already holds the figures (no script needed to read them).
    const html = await (await page.request.get(`${env.portal.url}/unit`)).text();
    assert.match(html, /data-testid="storage"[^>]*>[^<]* of [^<]* used/);
    const list = await (await page.request.get(`${env.portal.url}/unit/projects`)).text();
    assert.match(list, new RegExp(`data-project="${PROJECT}"`));

    await page.goto(`${env.portal.url}/unit`);
    await waitForHydration(page);
    assert.equal(await page.locator('td[data-status="In Progress"]').textContent(), '1');
    assert.equal(await page.getByTestId('read-only').count(), 0, 'a Unit Admin manages');
    assert.match(await page.getByTestId('deliveries').textContent(), /file\(s\) uploaded, \d+ download\(s\)\./);
    await tab(page, 'Projects').click();
    await page.waitForURL(/\/unit\/projects$/);
    await waitForHydration(page);
    assert.match(await page.getByTestId('unit-projects-summary').textContent(), /^1 project\(s\); page 1 of 1\.$/);

    // A search that matches nothing, then one that matches, through the form (a GET: shareable).
    await page.getByLabel('Search').fill('no such title');
    await page.getByTestId('filter-apply').click();
    await page.getByTestId('unit-projects-empty').waitFor({ timeout: 20_000 });
    assert.match(page.url(), /\/unit\/projects\?.*q=no(\+|%20)such(\+|%20)title/);
    await waitForHydration(page);
    await page.getByLabel('Search').fill('SEEDED');
    await page.getByLabel('Status').selectOption('In Progress');
    await page.getByTestId('filter-apply').click();
    await page.locator(`tr[data-project="${PROJECT}"]`).waitFor({ timeout: 20_000 });
    await waitForHydration(page);
    assert.equal(await page.getByLabel('Status').inputValue(), 'In Progress', 'the form shows what was asked');
    // A status link of the overview opens the filtered list.
    await page.goto(`${env.portal.url}/unit`);
    await waitForHydration(page);
    await page.locator('table[data-testid="projects-by-status"] a', { hasText: 'Archived' }).click();
    await page.getByTestId('unit-projects-empty').waitFor({ timeout: 20_000 });
    assert.match(page.url(), /\/unit\/projects\?status=Archived$/);
    // Nonsense in the address is refused with a sentence, not ignored.
    await page.goto(`${env.portal.url}/unit/projects?sort=members`);
    await waitForHydration(page);
    assert.match(await page.getByTestId('dashboard-refused').textContent(), /'members' is not a way to sort projects/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the activity shows who did what in the unit, filtered by action', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    const edited = await page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/projects/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'Edited while testing the dashboard.' }),
      });
      return response.status;
    }, PROJECT);
    assert.equal(edited, 204);
    await page.goto(`${env.portal.url}/unit`);
    await waitForHydration(page);
    await tab(page, 'Activity').click();
    const row = page.locator('tr[data-action="project-details-changed"]').first();
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.textContent(), new RegExp(`unitadmin_1Project details changed${PROJECT}`));
    await page.getByLabel('Action').selectOption('files-downloaded');
    await page.getByTestId('activity-apply').click();
    await page.getByTestId('activity-empty').waitFor({ timeout: 20_000 });
    assert.match(page.url(), /\/unit\/activity\?action=files-downloaded$/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the usage report charts the months, tabulates them and exports CSV', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    await page.goto(`${env.portal.url}/unit/usage`);
    await waitForHydration(page);
    assert.match(await page.locator('[data-testid="usage-chart"] svg').getAttribute('aria-label'), /^Bar chart of the unit's byte-hours per month/);
    assert.equal(await page.locator('[data-testid="usage-totals"] tbody tr').count(), 12, 'the table beside the chart: 12 months');
    assert.equal(await page.locator(`[data-testid="usage-projects"] tr[data-project="${PROJECT}"]`).count(), 1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('usage-csv').click()]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(await download.path(), 'utf8').split('\n');
    assert.equal(csv[0], 'project,title,month,byte_hours');
    assert.ok(csv.some((line) => line.startsWith(`${PROJECT},Seeded project,`)), csv.slice(0, 3).join('\n'));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a Super Admin reads DDS's statistics in the console, with charts beside their tables", async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'superadmin');
    await page.goto(`${env.portal.url}/admin`);
    await waitForHydration(page);
    const roles = page.getByTestId('users-by-role');
    await roles.waitFor({ timeout: 20_000 });
    assert.match(await roles.locator('tr', { hasText: 'Unit Admin' }).textContent(), /Unit Admin3/);
    const chart = page.locator('[data-testid="statistics-card"] svg').first();
    assert.match(await chart.getAttribute('aria-label'), /^Bar chart: Accounts by role, 8 in all/);
    assert.match(await page.getByTestId('statistics-figures').textContent(), /Units1Project Owners1/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a Super Admin finds any account by part of its name; a Researcher has no search', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'superadmin');
    await page.goto(`${env.portal.url}/users`);
    await waitForHydration(page);
    await page.getByTestId('users').waitFor({ timeout: 20_000 });
    await page.getByLabel('Find an account').fill('UNITUSER');
    await page.getByTestId('user-search-go').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=users] tbody tr').length === 2, null, { timeout: 20_000 });
    const rows = await page.locator('[data-testid=users] tbody tr').allTextContents();
    assert.ok(rows[0].startsWith('unituser_1') && rows[1].startsWith('unituser_2'), rows.join('\n'));
    assert.match(rows[1], /Emailed codesnever/, 'second factor, and no login yet');
    await page.getByLabel('Find an account').fill('nobody-by-that-name');
    await page.getByTestId('user-search-go').click();
    await page.getByTestId('users-none').waitFor({ timeout: 20_000 });
    assert.deepEqual(problems, []);
    await context.close();

    const researcher = await openPage(env.browser);
    await logIn(researcher.page, env.portal, 'researchuser_1');
    await researcher.page.goto(`${env.portal.url}/users`);
    await waitForHydration(researcher.page);
    assert.equal(await researcher.page.getByTestId('user-search').count(), 0);
    await researcher.context.close();
  });

  test('Unit Personnel read the dashboard without the administration', async () => {
    const { context, page } = await openPage(env.browser);
    await logIn(page, env.portal, 'unituser_1');
    await page.goto(`${env.portal.url}/unit`);
    await waitForHydration(page);
    await page.getByTestId('read-only').waitFor({ timeout: 20_000 });
    await page.goto(`${env.portal.url}/unit/projects`);
    await waitForHydration(page);
    assert.equal(await page.locator(`tr[data-project="${PROJECT}"]`).count(), 1);
    await context.close();
  });

  test('a Researcher and a Super Admin are refused, a visitor is asked to log in', async () => {
    for (const [username, refusal] of [
      ['researchuser_1', /^Only Unit Admins and Unit Personnel can see the unit dashboard\.$/],
      ['superadmin', /^The unit dashboard is for unit staff; Super Admins have the admin console\.$/],
    ]) {
      const { context, page } = await openPage(env.browser);
      await logIn(page, env.portal, username);
      await page.goto(`${env.portal.url}/unit`);
      await waitForHydration(page);
      assert.match(await page.getByTestId('dashboard-refused').textContent(), refusal, username);
      assert.equal(await page.locator('nav a[href="/unit"]').count(), 0, `${username} has no link to it`);
      assert.equal(await page.getByTestId('unit-projects').count(), 0);
      for (const path of ['/unit/projects', '/unit/users', '/unit/invites', '/unit/activity', '/unit/usage']) {
        await page.goto(`${env.portal.url}${path}`);
        await waitForHydration(page);
        assert.match(await page.getByTestId('dashboard-refused').textContent(), refusal, `${username}: ${path}`);
        // Nothing of the refused tab shows under the refusal (the invites tab once left its
        // "Pending invitations" heading there).
        assert.equal(await page.getByRole('heading', { name: 'Pending invitations' }).count(), 0, `${username}: ${path}`);
      }
      const csv = await page.request.get(`${env.portal.url}/api/v1/units/me/usage.csv`);
      assert.equal(csv.status(), 403, `${username}: the CSV export`);
      await context.close();
    }
    const { context, page } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/unit`);
    await waitForHydration(page);
    await page.getByTestId('login-needed').waitFor({ timeout: 20_000 });
    await context.close();
  });
  test('a Unit Admin invites, re-sends and cancels, and administers accounts from the dashboard; Unit Personnel only read', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    await page.goto(`${env.portal.url}/unit`);
    await waitForHydration(page);
    await tab(page, 'Invites').click();
    await page.waitForURL(/\/unit\/invites$/);
    await waitForHydration(page);
    const email = 'dashboard-invitee@example.org';
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Role').selectOption('Unit Personnel');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByTestId('invite-sent').waitFor({ timeout: 20_000 });
    const row = page.locator('[data-testid="pending-invites"] tr', { hasText: email });
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.textContent(), /Unit Personnel—\d{4}-\d\d-\d\d/, 'role, no project, created');
    const first = inviteLink(env.portal.dataDir, email);
    const token = (link) => link.split('/invite/')[1];
    const invite = (link) => page.request.get(`${env.portal.url}/api/v1/invites/by-token/${token(link)}`);
    assert.equal((await invite(first)).status(), 200);

    // Re-send: a new link, and the first one stops working.
    await row.getByTestId('invite-resend').click();
    await page.getByTestId('invite-changed').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('invite-changed').textContent(), /A new invitation was sent to dashboard-invitee@example\.org/);
    let second = first;
    for (let i = 0; i < 60 && second === first; i++) {
      await new Promise((r) => setTimeout(r, 50));
      second = inviteLink(env.portal.dataDir, email);
    }
    assert.notEqual(second, first, 'a new link was mailed');
    assert.equal((await invite(first)).status(), 404, 'the earlier link no longer works');
    assert.equal((await invite(second)).status(), 200);

    // Cancel asks first; "Keep it" keeps it.
    await row.getByTestId('invite-cancel').click();
    await row.getByRole('button', { name: 'Keep it' }).click();
    await row.getByTestId('invite-cancel').click();
    await row.getByTestId('invite-cancel-confirm').click();
    await page.getByTestId('invite-changed').filter({ hasText: 'was cancelled' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="pending-invites"] tr', { hasText: email }).count(), 0);
    assert.equal((await invite(second)).status(), 404, 'a cancelled invite opens nothing');

    // Accounts: deactivate, reactivate, delete after a confirmation.
    await tab(page, 'Users').click();
    await page.waitForURL(/\/unit\/users$/);
    await waitForHydration(page);
    const colleague = page.locator('tr[data-user="unituser_2"]');
    await colleague.getByRole('button', { name: 'Deactivate' }).click();
    await colleague.getByText('Deactivated').waitFor({ timeout: 20_000 });
    await colleague.getByRole('button', { name: 'Reactivate' }).click();
    await colleague.getByText('Active', { exact: true }).waitFor({ timeout: 20_000 });
    await colleague.getByRole('button', { name: 'Delete' }).click();
    await colleague.getByText('Delete unituser_2? This cannot be undone.').waitFor();
    await colleague.getByRole('button', { name: 'Yes, delete' }).click();
    await page.locator('tr[data-user="unituser_2"]').waitFor({ state: 'detached', timeout: 20_000 });
    assert.deepEqual(problems, []);
    await context.close();

    // Unit Personnel see both lists without the actions; the server refuses them too.
    const personnel = await openPage(env.browser);
    await logIn(personnel.page, env.portal, 'unituser_1');
    await personnel.page.goto(`${env.portal.url}/unit/invites`);
    await waitForHydration(personnel.page);
    await personnel.page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
    assert.equal(await personnel.page.getByTestId('invite-resend').count(), 0);
    const refused = await personnel.page.evaluate(async () => {
      const response = await fetch('/api/v1/invites/1/resend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return [response.status, (await response.json()).error];
    });
    assert.deepEqual(refused, [403, 'You do not have permission to re-send invites.']);
    await personnel.page.goto(`${env.portal.url}/unit/users`);
    await waitForHydration(personnel.page);
    await personnel.page.getByTestId('users').waitFor({ timeout: 20_000 });
    assert.equal(await personnel.page.getByRole('button', { name: 'Deactivate' }).count(), 0);
    await personnel.context.close();
  });
});
