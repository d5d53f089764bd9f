// DDS's authentication rate limit through the real login page: ten failed attempts within the
// hour, and the eleventh is refused with DDS's message, saying when to try again, even with the
// right password. A portal of
// its own: the limit also holds per address, which would lock out the other journeys.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, seededPortal, waitForHydration } from './portal.mjs';

describe('rate limit', () => {
  const env = seededPortal();

  test('the 11th attempt after ten failures is refused with DDS\'s message', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(`${env.portal.url}/login`);
    await waitForHydration(page);
    const attempt = async (password) => {
      await page.getByLabel('Username').fill('researchuser_1');
      await page.getByLabel('Password').fill(password);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await page.getByRole('button', { name: 'Log in' }).click();
      await answered;
      // The page shows the answer and then clears its busy state (the button comes back).
      await page.waitForFunction(() => !document.querySelector('[data-testid="password-form"] button').disabled);
      return page.getByTestId('login-error').textContent();
    };
    for (let i = 1; i <= 10; i += 1) {
      assert.equal(await attempt(`wrong password ${i}`), 'Invalid username or password.', `attempt ${i}`);
    }
    assert.match(
      await attempt('password'),
      /^Too many authentication requests in one hour\. Try again in (59|60) minutes\.$/,
    );
    await context.close();
  });
});
