// Accessibility: axe-core's WCAG 2 A/AA rules on every page each seeded role reaches, in the light
// and the dark theme, once the page has hydrated and settled. A serious or critical finding fails
// the test with the rule, the page and the elements it names (every dashboard and console page
// joins this list as it arrives).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { logIn, openPage, seededPortal, waitForHydration } from './portal.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PROJECT = 'someunit00001';

const PAGES = {
  visitor: ['/', '/login', '/reset-password', '/terms', '/privacy'],
  superadmin: ['/', '/admin', '/users', '/invites', '/projects', '/account'],
  unitadmin_1: ['/', '/unit', '/unit/projects?status=In%20Progress&sort=title', '/unit/users', '/unit/invites', '/unit/activity', '/unit/usage', '/projects', `/projects/${PROJECT}`, '/users', '/invites', '/account'],
  unituser_1: ['/unit', '/unit/projects', '/unit/usage', '/unit/activity'],
  researchuser_1: ['/', '/projects', `/projects/${PROJECT}`, '/account'],
};

/** The serious and critical WCAG 2 A/AA violations on the page, one line each. */
async function violations(page) {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.targets.slice(0, 5).join(', ')}`);
}

describe('accessibility (axe-core, WCAG 2 AA)', () => {
  const env = seededPortal();

  test('the check itself finds a planted violation', async () => {
    const { context, page } = await openPage(env.browser);
    await page.setContent('<html lang="en"><title>t</title><main><img src="x.png"><input></main></html>');
    const found = await violations(page);
    await context.close();
    assert.ok(found.some((line) => line.includes('image-alt')), found.join('\n'));
    assert.ok(found.some((line) => line.includes('label')), found.join('\n'));
  });

  for (const [who, paths] of Object.entries(PAGES)) {
    test(`${who}: no serious or critical violation in either theme`, async () => {
      const { context, page } = await openPage(env.browser, { viewport: { width: 1280, height: 900 } });
      if (who !== 'visitor') await logIn(page, env.portal, who);
      const findings = [];
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const path of paths) {
          await page.goto(`${env.portal.url}${path}`, { waitUntil: 'networkidle' });
          await waitForHydration(page);
          findings.push(...(await violations(page)).map((line) => `${scheme} ${path}: ${line}`));
        }
      }
      await context.close();
      assert.deepEqual(findings, []);
    });
  }
});
