// Browser half of scripts/bench-delivery: one headless Chromium moves the same file (default
// 1 GiB, DDS_BENCH_MIB) to and from the portal's S3 endpoint twice in one run:
//  - encrypted, through the portal's real page: the upload panel and the download button
//    (File System Access API into an OPFS folder), exactly what a person clicks;
//  - plain, the baseline: the same bytes PUT with the same part plan (the portal's presigned
//    part URLs) and the same concurrency, and fetched back with the same ranged GETs and
//    written to OPFS, without any crypto.
// While the encrypted runs go, the renderer's resident memory is sampled (/proc). The last line
// is `delivery upload-ratio <encrypted/plain> download-ratio <encrypted/plain> peak-memory-mib <n>`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { logIn, startPortal, waitForHydration } from '../tests/portal.mjs';

const MIB = 1024 * 1024;
const size = Number(process.env.DDS_BENCH_MIB || 1024) * MIB;
const PROJECT = 'someunit00001';
const CONCURRENCY = 4; // as transfer.js

// The file: incompressible enough (a counter pattern), written in 1 MiB blocks.
const dir = mkdtempSync(join(tmpdir(), 'dds-bench-'));
const folder = join(dir, 'bench');
execFileSync('mkdir', ['-p', folder]);
const fd = openSync(join(folder, 'payload.bin'), 'w');
const block = Buffer.alloc(MIB);
for (let i = 0; i < size / MIB; i++) {
  for (let j = 0; j + 4 <= MIB; j += 4) block.writeUInt32LE((i * MIB + j) * 2654435761 >>> 0, j);
  writeSync(fd, block);
}
closeSync(fd);

/** Resident memory (MiB) of the largest Chromium renderer process now. */
function rendererMib() {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) peak = Math.max(peak, Number(rss[1]) / 1024);
    } catch { /* gone */ }
  }
  return peak;
}

const portal = await startPortal();
execFileSync(process.env.DDS_BIN, ['init-db', 'dev'], { env: { ...process.env, DDS_DATA_DIR: portal.dataDir } });
// A persistent profile: an incognito context's storage quota cannot hold a GiB in OPFS.
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
});
let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, rendererMib()); }, 100);
try {
  const page = await browser.newPage();
  await logIn(page, portal, 'unitadmin_1');
  await page.goto(`${portal.url}/projects/${PROJECT}`);
  await waitForHydration(page);
  await page.getByTestId('upload-panel').waitFor({ timeout: 60_000 });

  // Encrypted upload through the page.
  await page.getByTestId('pick-folder').setInputFiles(folder);
  await page.getByTestId('start-upload').waitFor();
  let started = Date.now();
  await page.getByTestId('start-upload').click();
  await page
    .waitForFunction(() => /uploaded/.test(document.querySelector('[data-testid=upload-summary]')?.textContent ?? ''), null, { timeout: Number(process.env.DDS_BENCH_TIMEOUT_MS || 3_600_000) })
    .catch(async (error) => {
      throw new Error(`the encrypted upload did not end: ${await page.getByTestId('upload-panel').textContent()}`, { cause: error });
    });
  const encryptedUp = (Date.now() - started) / 1000;
  const summary = await page.getByTestId('upload-summary').textContent();
  const uploadPeak = peak;
  if (summary !== '1 file(s) uploaded.') throw new Error(`the encrypted upload failed: ${summary}`);

  // Encrypted download through the page, into OPFS.
  await page.evaluate(() => {
    window.showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('encrypted', { create: true });
  });
  await page.locator('tr[data-entry="bench"] button').first().click();
  await page.locator('button[data-download="bench/payload.bin"]').waitFor();
  started = Date.now();
  await page.locator('button[data-download="bench/payload.bin"]').click();
  await page.waitForFunction(() => /^Saved|failed|cannot/.test(document.querySelector('[data-testid=download-status], [data-testid=download-error]')?.textContent ?? ''), null, { timeout: 3_600_000 });
  const encryptedDown = (Date.now() - started) / 1000;
  const saved = await page.locator('[data-testid=download-status], [data-testid=download-error]').textContent();
  if (!saved.startsWith('Saved 1 file')) throw new Error(`the encrypted download failed: ${saved}`);
  clearInterval(sampler);

  // The plain baseline: the same file, part plan, URLs, concurrency and ranges, no crypto.
  const plain = await page.evaluate(async ({ project, concurrency }) => {
    const api = async (method, path, body) => {
      const response = await fetch(`/api/v1${path}`, {
        method, headers: body ? { 'content-type': 'application/json' } : {}, body: body && JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? null : response.json();
    };
    const lanes = async (count, work) => {
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < count) await work(next++);
      }));
    };
    const root = await navigator.storage.getDirectory();
    const file = await (await (await root.getDirectoryHandle('encrypted')).getDirectoryHandle('bench')).getFileHandle('payload.bin');
    const source = await file.getFile();
    const [{ url, stored_bytes: stored }] = (await api('GET', `/projects/${project}/downloads?path=bench/payload.bin`)).files;
    const header = new Uint8Array(await (await fetch(url, { headers: { Range: 'bytes=0-95' } })).arrayBuffer());
    const headerB64 = btoa(String.fromCharCode(...header));

    // Upload: the encrypted file's part plan (the portal signs each part's length), plain bytes;
    // timed from the start request to the completion, as the encrypted one is.
    let start = performance.now();
    const upload = await api('POST', `/projects/${project}/uploads`, {
      path: 'bench/plain.bin', size_bytes: source.size, segment_size: new DataView(header.buffer).getUint32(5), header: headerB64,
    });
    // Each part's body: the file's bytes at that offset, padded to the signed length (the
    // encrypted object is longer by its header and tags).
    const partBody = (from, to) =>
      new Blob([source.slice(from, Math.min(to, source.size)), new Uint8Array(Math.max(0, to - Math.max(from, source.size)))]);
    let offset = 0;
    const plan = [];
    for (let n = 1; n <= upload.part_count; n++) {
      const length = n === 1 ? upload.part_size + 96 : Math.min(upload.part_size, stored - offset);
      plan.push({ number: n, start: offset, end: offset + length });
      offset += length;
    }
    const etags = [];
    await lanes(plan.length, async (i) => {
      const part = plan[i];
      const check = btoa(String.fromCharCode(...new Uint8Array(32)));
      const { urls: [signed] } = await api('POST', `/uploads/${upload.id}/urls`, { parts: [{ number: part.number, check }] });
      const response = await fetch(signed.url, { method: 'PUT', body: partBody(part.start, part.end) });
      if (!response.ok) throw new Error(`plain part ${part.number}: ${response.status}`);
      etags[i] = { number: part.number, etag: response.headers.get('ETag') };
    });
    // Completed like the real one (the storage assembles the parts; the sizes match).
    const sealed = btoa(String.fromCharCode(...new Uint8Array(60)));
    await api('POST', `/uploads/${upload.id}/complete`, { parts: etags, sha256_sealed: sealed });
    const up = (performance.now() - start) / 1000;

    // Download: the same ranges (128 segments each), four at a time, written in order to OPFS.
    const segment = new DataView(header.buffer).getUint32(5) + 16;
    const chunk = 128 * segment;
    const ranges = [];
    for (let from = 96; from < stored; from += chunk) ranges.push([from, Math.min(stored, from + chunk)]);
    const out = await (await root.getFileHandle('plain.bin', { create: true })).createWritable();
    start = performance.now();
    const pending = new Map();
    let next = 0;
    const fetchNext = () => {
      if (next >= ranges.length) return;
      const [from, to] = ranges[next];
      pending.set(next++, fetch(url, { headers: { Range: `bytes=${from}-${to - 1}` } }).then((r) => r.arrayBuffer()));
    };
    for (let i = 0; i < concurrency; i++) fetchNext();
    for (let i = 0; i < ranges.length; i++) {
      const data = await pending.get(i);
      pending.delete(i);
      fetchNext();
      await out.write(data);
    }
    await out.close();
    const down = (performance.now() - start) / 1000;
    return { up, down };
  }, { project: PROJECT, concurrency: CONCURRENCY });

  const mbps = (seconds) => size / 1e6 / seconds;
  const row = (name, seconds) => console.log(`${name.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s ${mbps(seconds).toFixed(1).padStart(8)} MB/s`);
  console.log(`DDS delivery benchmark: ${size / MIB} MiB, ${CONCURRENCY} parts or ranges at once, embedded S3`);
  row('upload, encrypted (portal page)', encryptedUp);
  row('upload, plain (same parts)', plain.up);
  row('download, encrypted (portal page)', encryptedDown);
  row('download, plain (same ranges)', plain.down);
  console.log(`renderer peak resident memory: ${Math.round(uploadPeak)} MiB uploading, ${Math.round(peak)} MiB over both`);
  console.log(`delivery upload-ratio ${(plain.up / encryptedUp).toFixed(2)} download-ratio ${(plain.down / encryptedDown).toFixed(2)} peak-memory-mib ${Math.round(peak)}`);
} finally {
  clearInterval(sampler);
  await browser.close();
  await portal.stop();
  rmSync(dir, { recursive: true, force: true });
}
