// Browser half of scripts/bench-crypto: the worker pool's encrypt/decrypt throughput and the
// Argon2id derivation time, in headless Chromium. Prints one JSON object.
import { launchBrowser } from '../tests/portal.mjs';
import { serveDirectory } from '../tests/static-server.mjs';

const harness = process.env.DDS_CRYPTO_HARNESS;
const totalMiB = Number(process.env.DDS_BENCH_MIB || 256);
if (!harness) throw new Error('DDS_CRYPTO_HARNESS must be set');

const server = await serveDirectory(harness);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 20_000 });
  await page.evaluate(() => window.ddsHarness.bench(32, 8)); // warm-up: workers, JIT, WebCrypto
  const result = await page.evaluate((mib) => window.ddsHarness.bench(mib, 8), totalMiB);
  const argon2_ms = await page.evaluate(() => window.ddsHarness.argon2());
  console.log(JSON.stringify({ ...result, argon2_default_ms: Math.round(argon2_ms) }));
} finally {
  await browser.close();
  await server.close();
}
