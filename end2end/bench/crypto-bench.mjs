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
  await page.evaluate(() => window.ddsHarness.bench(64, 8)); // warm-up: workers, JIT, WebCrypto
  // Three measured runs; each figure is the median (as on the native side).
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await page.evaluate((mib) => window.ddsHarness.bench(mib, 8), totalMiB));
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
  const argon2 = [];
  for (let i = 0; i < 3; i++) argon2.push(await page.evaluate(() => window.ddsHarness.argon2()));
  console.log(JSON.stringify({
    workers: runs[0].workers,
    bytes: runs[0].bytes,
    encrypt_mbps: median('encrypt_mbps'),
    decrypt_mbps: median('decrypt_mbps'),
    sha256_wasm_mbps: median('sha256_wasm_mbps'),
    argon2_default_ms: Math.round(argon2.sort((a, b) => a - b)[1]),
  }));
} finally {
  await browser.close();
  await server.close();
}
