// Shared fixtures: a real `dds serve` on free ports with a fresh data folder, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the portal; resolves once /status reports a healthy database and storage. `extraEnv`
 * adds settings (e.g. `DDS_CLOCK_OFFSET_FILE`).
 */
export async function startPortal(extraEnv = {}) {
  const bin = process.env.DDS_BIN;
  const siteRoot = process.env.DDS_SITE_ROOT;
  if (!bin || !siteRoot) throw new Error('DDS_BIN and DDS_SITE_ROOT must be set (scripts/test.sh does)');
  const dataDir = mkdtempSync(join(tmpdir(), 'dds-e2e-'));
  const port = await freePort();
  const s3Port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      DDS_DATA_DIR: dataDir,
      DDS_LISTEN: `127.0.0.1:${port}`,
      DDS_S3_LISTEN: `127.0.0.1:${s3Port}`,
      DDS_SITE_ROOT: siteRoot,
      DATABASE_URL: '',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dds exited early:\n${log}`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`dds did not become healthy:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dataDir,
    pid: child.pid,
    log: () => log,
    async stop() {
      // A panic closes a connection without an answer (the browser sees ERR_EMPTY_RESPONSE):
      // show the server's own account of it.
      if (log.includes('panicked')) process.stderr.write(`dds panicked during these tests:\n${log}\n`);
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For one test file: a portal seeded with DDS's development accounts (`dds init-db dev`) and a
 * browser, started before its tests and stopped after them. Tests read `env.portal`,
 * `env.browser`.
 */
export function seededPortal(extraEnv = {}) {
  const env = { portal: undefined, browser: undefined };
  before(async () => {
    env.portal = await startPortal(extraEnv);
    execFileSync(process.env.DDS_BIN, ['init-db', 'dev'], { env: { ...process.env, DDS_DATA_DIR: env.portal.dataDir } });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.portal?.stop();
  });
  return env;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** What each page opened by `openPage` has logged as a problem (for failure messages). */
const problemsOf = new WeakMap();

/** A page that records console errors, page errors and CSP violations. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  problemsOf.set(page, problems);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

/**
 * Waits until the browser bundle has hydrated the server-rendered page. A page that never does
 * says why: its address, how far it loaded and what it logged (a panic, a script refused).
 */
export async function waitForHydration(page, timeout = 45_000) {
  try {
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout });
  } catch (error) {
    const state = await page
      .evaluate(() => `${document.readyState}, ${performance.getEntriesByType('resource').map((r) => `${r.name.split('?')[0]} ${Math.round(r.duration)} ms`).join(', ')}`)
      .catch((e) => `(page unreadable: ${e.message})`);
    const logged = problemsOf.get(page) ?? ['(page not opened by openPage: its console was not recorded)'];
    throw new Error(`${page.url()} never hydrated: ${error.message}\nLoaded: ${state}\nLogged:\n${logged.join('\n') || '(nothing)'}`);
  }
}

/**
 * The text of the newest mail in the portal's outbox to `email` that contains `marker`, with
 * quoted-printable soft line breaks undone (long link lines are wrapped in the raw message).
 */
export function newestMail(dataDir, email, marker) {
  // The portal queues mail and delivers it right after the request: give a first mail a moment
  // to arrive (the portal is another process, so blocking this thread does not hold it up).
  for (let waited = 0; waited < 3000; waited += 50) {
    const text = newestMailNow(dataDir, email, marker);
    if (text) return text;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  return '';
}

function newestMailNow(dataDir, email, marker) {
  return mailsNow(dataDir, email, marker).at(-1) ?? '';
}

/** The texts of the mails in the outbox to `email` that contain `marker`, oldest first. */
function mailsNow(dataDir, email, marker) {
  const outbox = join(dataDir, 'outbox');
  return readdirSync(outbox)
    .map((name) => join(outbox, name))
    .map((path) => ({
      time: statSync(path).mtimeMs,
      text: readFileSync(path, 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='),
    }))
    .filter((m) => m.text.includes(`To: ${email}`) && m.text.includes(marker))
    .sort((a, b) => a.time - b.time)
    .map((m) => m.text);
}

/** The newest emailed one-time code for `email`. */
export function latestCode(dataDir, email) {
  const text = newestMail(dataDir, email, 'One-Time Authentication Code');
  return text.slice(text.indexOf('code for the Data Delivery System is:')).match(/\b\d{8}\b/)?.[0];
}

/** How many code mails `email` has received so far. */
function codeMailCount(dataDir, email) {
  return mailsNow(dataDir, email, 'One-Time Authentication Code').length;
}

/**
 * The code of the first code mail to `email` after the `before`th: the portal mails after it
 * answers, so right after the code step the newest mail in the outbox may still be the previous
 * login's (whose code no longer works).
 */
function nextCode(dataDir, email, before) {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const mails = mailsNow(dataDir, email, 'One-Time Authentication Code');
    if (mails.length > before) {
      const text = mails.at(-1);
      return text.slice(text.indexOf('code for the Data Delivery System is:')).match(/\b\d{8}\b/)?.[0];
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  throw new Error(`no new one-time code was mailed to ${email} within 10 s`);
}

/** Logs in through the login page with the emailed code; ends on the signed-in home page. */
export async function logIn(page, portal, username, { password = 'password', email = `${username}@example.com` } = {}) {
  await page.goto(`${portal.url}/login`);
  await waitForHydration(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const before = codeMailCount(portal.dataDir, email);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('code-form').waitFor({ timeout: 20_000 });
  await page.getByLabel('One-time code').fill(nextCode(portal.dataDir, email, before));
  await page.getByRole('button', { name: 'Verify' }).click();
  try {
    await page.waitForURL(`${portal.url}/`, { timeout: 30_000 });
  } catch (error) {
    // Say what the page shows instead (a refused code, a rate limit, an error with its id).
    const shown = await page
      .evaluate(() => [...document.querySelectorAll('[role=alert], .form-error, .form-status')].map((e) => e.textContent.trim()).filter(Boolean).join(' | '))
      .catch((e) => `(page unreadable: ${e.message})`);
    const logged = problemsOf.get(page) ?? [];
    throw new Error(`${username} was not signed in: ${error.message}\nAt: ${page.url()}\nShown: ${shown || '(nothing)'}\nLogged:\n${logged.join('\n') || '(nothing)'}`);
  }
  await page.getByTestId('signed-in-user').waitFor();
}

/** The link in the newest invitation mailed to `email`. */
export function inviteLink(dataDir, email) {
  const mail = newestMail(dataDir, email, '/invite/');
  return mail.match(/http:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]+/)[0];
}

/** Registers through an invitation link; the key fingerprint the page shows afterwards. */
export async function register(page, link, { name, username, password }) {
  await page.goto(link);
  await waitForHydration(page);
  await page.getByTestId('invite-summary').waitFor();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByLabel('I accept the terms of use').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('registered').waitFor({ timeout: 20_000 });
  return page.getByTestId('my-fingerprint').textContent();
}

/** The key fingerprint the signed-in user's account page shows (from the key in the tab). */
export async function myFingerprint(page, portal) {
  await page.goto(`${portal.url}/account`);
  await waitForHydration(page);
  await page.getByTestId('my-fingerprint').waitFor({ timeout: 20_000 });
  return page.getByTestId('my-fingerprint').textContent();
}

/**
 * Approves `username` in the waiting list of the current page after checking that the
 * fingerprint shown is `fingerprint` (what the person reads out from their own account page).
 */
export async function approve(page, username, fingerprint) {
  const row = page.locator(`tr[data-waiting="${username}"]`);
  await row.waitFor({ timeout: 20_000 });
  const shown = await row.getByTestId('fingerprint').textContent();
  if (shown !== fingerprint) throw new Error(`fingerprint shown for ${username}: ${shown}, theirs: ${fingerprint}`);
  await row.getByTestId('approve').click();
  await row.getByText(`Only if they confirmed the fingerprint ${fingerprint}`).waitFor();
  await row.getByTestId('confirm-approval').click();
}
