// wasm-crypto in the browser: the committed vectors (made by the native aes-gcm implementation)
// must come out byte for byte from the browser path — nonces and framing in wasm, AES-GCM in
// WebCrypto inside the worker pool — and every tamper case must be refused there too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launchBrowser, openPage } from './portal.mjs';
import { serveDirectory } from './static-server.mjs';

const HARNESS = process.env.DDS_CRYPTO_HARNESS;

describe('wasm-crypto in Chromium', () => {
  let server;
  let browser;
  let page;
  let problems;

  before(async () => {
    if (!HARNESS) throw new Error('DDS_CRYPTO_HARNESS must be set (scripts/test.sh does)');
    server = await serveDirectory(HARNESS);
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('vectors are identical native vs browser, tampering refused', async () => {
    const vectors = JSON.parse(await readFile(`${HARNESS}/vectors/v1.json`, 'utf8'));
    const result = await page.evaluate((v) => window.ddsHarness.runVectors(v), vectors);
    assert.deepEqual(result.failures, []);
    assert.ok(result.checks > 100, `only ${result.checks} checks ran`);
    assert.deepEqual(problems, []);
  });

  test('a File slice is read whole into a reused buffer, a wrong-sized buffer refused', async () => {
    assert.deepEqual(await page.evaluate(() => window.ddsHarness.readBlobs(20)), []);
  });

  test('an upload part that cannot be read fails it, and the parts after it stop instead of waiting', async () => {
    const outcome = await page.evaluate(() => window.ddsHarness.unreadablePart());
    assert.match(outcome.first, /^rejected: ReadError/, JSON.stringify(outcome));
    assert.match(outcome.second, /^rejected: .*part check stopped/, JSON.stringify(outcome));
    assert.equal(outcome.pending, 0, 'every place in the pool came back');
  });

  test('a whole Blob is hashed in the workers as WebCrypto hashes it, an unreadable one refused', async () => {
    assert.deepEqual(await page.evaluate(() => window.ddsHarness.hashBlobs()), []);
  });

  test('the worker pool keeps its queue bounded and survives a refused job', async () => {
    const outcome = await page.evaluate(async () => {
      const { bench } = window.ddsHarness;
      const small = await bench(16, 1);
      return { encrypted: small.bytes, workers: small.workers, free: small.free_buffers, maxFree: small.max_free_buffers };
    });
    assert.equal(outcome.encrypted, 16 * 1024 * 1024);
    assert.ok(outcome.workers >= 1);
    // Input buffers come back from the workers for reuse, a bounded number of them.
    assert.ok(outcome.free >= 1 && outcome.free <= outcome.maxFree, `${outcome.free} free buffers (max ${outcome.maxFree})`);
  });
});
