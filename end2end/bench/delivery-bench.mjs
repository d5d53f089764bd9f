// Browser half of scripts/bench-delivery: one headless Chromium moves the same file (default
// 1 GiB, DDS_BENCH_MIB) to and from the portal's S3 endpoint twice in one run:
//  - encrypted, through the portal's real page: the upload panel and the download button
//    (File System Access API into an OPFS folder), exactly what a person clicks;
//  - plain, the baseline: the same bytes PUT with the same part plan (the portal's presigned
//    part URLs) and the same concurrency, and fetched back with the same ranged GETs and
//    written to OPFS, without any crypto.
// Each run prints its CPU seconds by process (renderer, Chromium's others, the portal) and the
// renderer's peak resident memory (/proc), with its parts; DDS_BENCH_MEMORY_DUMP=1 adds
// Chromium's memory by allocator once the page loaded and in the middle of each encrypted
// transfer, DDS_BENCH_MEMORY_TRACE=1 the renderer's own memory every 100 ms. The last line
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

/** The /proc status and stat of every process, read now: { pid, cmd, status, ticks }. */
function processes() {
  const out = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      // utime + stime: fields 14 and 15, counted after the command's closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(pid), cmd, status, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch { /* gone */ }
  }
  return out;
}

const kib = (status, name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);

/**
 * The largest Chromium renderer's resident memory now (MiB), with its parts: `anon` (its own
 * heap: JS, wasm memories, buffers), `file` (mapped files: Chromium's code, shared with every
 * process) and `shmem` (shared memory: blobs and pipes to the browser process).
 */
function renderer() {
  let best = { total: 0, anon: 0, file: 0, shmem: 0 };
  for (const { cmd, status } of processes()) {
    if (!cmd.includes('--type=renderer')) continue;
    const total = kib(status, 'VmRSS') / 1024;
    if (total > best.total) {
      best = { total, anon: kib(status, 'RssAnon') / 1024, file: kib(status, 'RssFile') / 1024, shmem: kib(status, 'RssShmem') / 1024 };
    }
  }
  return best;
}

/** CPU seconds used so far by each kind of process: the renderer, Chromium's others, the portal. */
function cpu(portalPid) {
  const out = { renderer: 0, 'network+browser': 0, portal: 0 };
  for (const { pid, cmd, ticks } of processes()) {
    if (pid === portalPid) out.portal += ticks / 100;
    else if (cmd.includes('--type=renderer')) out.renderer += ticks / 100;
    else if (/chrom/.test(cmd.split('\0')[0])) out['network+browser'] += ticks / 100;
  }
  return out;
}

/**
 * Runs `work` and returns its seconds, the CPU seconds each kind of process spent meanwhile and
 * the renderer's peak memory (sampled every 100 ms, with its parts at that moment).
 */
async function phase(portalPid, work) {
  const before = cpu(portalPid);
  let memory = renderer();
  const trace = [];
  const sampler = setInterval(() => {
    const now = renderer();
    if (process.env.DDS_BENCH_MEMORY_TRACE) trace.push(Math.round(now.anon));
    if (now.total > memory.total) memory = now;
  }, 100);
  const started = Date.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (Date.now() - started) / 1000;
  if (trace.length) console.log(`own MiB every 100 ms: ${trace.join(' ')}`);
  const after = cpu(portalPid);
  return { seconds, memory, cpu: Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]])) };
}

/**
 * With DDS_BENCH_MEMORY_DUMP set: Chromium's own account of each process's memory by allocator
 * (memory-infra, through the page's DevTools session), printed `after` ms into a transfer. It
 * shows where a peak sits: e.g. `partition_alloc/partitions/array_buffer` (ArrayBuffers),
 * `.../buffer` (Blink's buffers: Blob and write data), `v8`, `blink_gc`, `malloc`.
 */
function memoryDumpLater(page, label, after) {
  if (!process.env.DDS_BENCH_MEMORY_DUMP) return;
  setTimeout(() => memoryDump(page, label).catch((error) => console.log(`memory ${label}: no dump (${error.message})`)), after);
}

async function memoryDump(page, label) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } },
  });
  await cdp.send('Tracing.requestMemoryDump', { levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  for (const event of events) {
    const allocators = event.ph === 'v' && event.args?.dumps?.allocators;
    if (!allocators) continue;
    const mib = (name) => Math.round(parseInt(allocators[name]?.attrs?.size?.value ?? '0', 16) / MIB);
    const shown = Object.keys(allocators)
      .filter((name) => !name.includes('/') || /^partition_alloc\/partitions\/[^/]+$/.test(name))
      .map((name) => [name, mib(name)])
      .filter(([, size]) => size >= 4)
      .sort((a, b) => b[1] - a[1]);
    if (shown.length) console.log(`memory ${label}, pid ${event.pid}: ${shown.map(([name, size]) => `${name} ${size}`).join(', ')} (MiB)`);
  }
}

const portal = await startPortal();
execFileSync(process.env.DDS_BIN, ['init-db', 'dev'], { env: { ...process.env, DDS_DATA_DIR: portal.dataDir } });
// A persistent profile: an incognito context's storage quota cannot hold a GiB in OPFS.
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await logIn(page, portal, 'unitadmin_1');
  await page.goto(`${portal.url}/projects/${PROJECT}`);
  await waitForHydration(page);
  await page.getByTestId('upload-panel').waitFor({ timeout: 60_000 });
  const loaded = renderer();
  if (process.env.DDS_BENCH_MEMORY_DUMP) await memoryDump(page, 'loaded page').catch((error) => console.log(`memory loaded page: no dump (${error.message})`));

  // Encrypted upload through the page.
  await page.getByTestId('pick-folder').setInputFiles(folder);
  await page.getByTestId('start-upload').waitFor();
  const encryptedUp = await phase(portal.pid, async () => {
    await page.getByTestId('start-upload').click();
    memoryDumpLater(page, 'uploading', 7000);
    await page
      .waitForFunction(() => /uploaded/.test(document.querySelector('[data-testid=upload-summary]')?.textContent ?? ''), null, { timeout: Number(process.env.DDS_BENCH_TIMEOUT_MS || 3_600_000) })
      .catch(async (error) => {
        throw new Error(`the encrypted upload did not end: ${await page.getByTestId('upload-panel').textContent()}`, { cause: error });
      });
  });
  const summary = await page.getByTestId('upload-summary').textContent();
  if (summary !== '1 file(s) uploaded.') throw new Error(`the encrypted upload failed: ${summary}`);

  // Encrypted download through the page, into OPFS.
  await page.evaluate(() => {
    window.showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('encrypted', { create: true });
  });
  await page.locator('tr[data-entry="bench"] button').first().click();
  await page.locator('button[data-download="bench/payload.bin"]').waitFor();
  const encryptedDown = await phase(portal.pid, async () => {
    await page.locator('button[data-download="bench/payload.bin"]').click();
    memoryDumpLater(page, 'downloading', 6000);
    await page.waitForFunction(() => /^Saved|failed|cannot/.test(document.querySelector('[data-testid=download-status], [data-testid=download-error]')?.textContent ?? ''), null, { timeout: 3_600_000 });
  });
  const saved = await page.locator('[data-testid=download-status], [data-testid=download-error]').textContent();
  if (!saved.startsWith('Saved 1 file')) throw new Error(`the encrypted download failed: ${saved}`);

  // The plain baseline: the same file, part plan, URLs, concurrency and ranges, no crypto.
  await page.evaluate(async ({ project, expected }) => {
    const api = async (method, path, body) => {
      const response = await fetch(`/api/v1${path}`, {
        method, headers: body ? { 'content-type': 'application/json' } : {}, body: body && JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? null : response.json();
    };
    const root = await navigator.storage.getDirectory();
    const file = await (await (await root.getDirectoryHandle('encrypted')).getDirectoryHandle('bench')).getFileHandle('payload.bin');
    const source = await file.getFile();
    if (source.size !== expected) throw new Error(`the encrypted download saved ${source.size} bytes of ${expected}`);
    const [{ url, stored_bytes: stored }] = (await api('GET', `/projects/${project}/downloads?path=bench/payload.bin`)).files;
    const header = new Uint8Array(await (await fetch(url, { headers: { Range: 'bytes=0-95' } })).arrayBuffer());
    window.plainBench = { api, root, source, url, stored, header };
  }, { project: PROJECT, expected: size });

  // Upload: the encrypted file's part plan (the portal signs each part's length), plain bytes;
  // timed from the start request to the completion, as the encrypted one is.
  const plainUp = await phase(portal.pid, () => page.evaluate(async ({ project, concurrency }) => {
    const { api, source, header } = window.plainBench;
    const inLanes = async (count, lanes, work) => {
      let next = 0;
      await Promise.all(Array.from({ length: lanes }, async () => {
        while (next < count) await work(next++);
      }));
    };
    const upload = await api('POST', `/projects/${project}/uploads`, {
      path: 'bench/plain.bin', size_bytes: source.size, segment_size: new DataView(header.buffer).getUint32(5), header: btoa(String.fromCharCode(...header)),
    });
    // Each part's body: the file's bytes at that offset, padded to the signed length (the
    // encrypted object is longer by its header and tags).
    const stored = window.plainBench.stored;
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
    await inLanes(plan.length, concurrency, async (i) => {
      const part = plan[i];
      const check = btoa(String.fromCharCode(...new Uint8Array(32)));
      const { urls: [signed] } = await api('POST', `/uploads/${upload.id}/urls`, { parts: [{ number: part.number, check }] });
      const response = await fetch(signed.url, { method: 'PUT', body: partBody(part.start, part.end) });
      if (!response.ok) throw new Error(`plain part ${part.number}: ${response.status} ${await response.text()} (${part.end - part.start} bytes, planned ${signed.size_bytes})`);
      etags[i] = { number: part.number, etag: response.headers.get('ETag') };
    });
    // Completed like the real one (the storage assembles the parts; the sizes match).
    const sealed = btoa(String.fromCharCode(...new Uint8Array(60)));
    await api('POST', `/uploads/${upload.id}/complete`, { parts: etags, sha256_sealed: sealed });
  }, { project: PROJECT, concurrency: CONCURRENCY }));

  // Download: the same ranges as the page's (whole segments, about 8 MiB each: transfer.js),
  // four at a time, written in order to OPFS.
  const plainDown = await phase(portal.pid, () => page.evaluate(async ({ concurrency }) => {
    const { root, url, stored, header } = window.plainBench;
    const segment = new DataView(header.buffer).getUint32(5) + 16;
    const chunk = Math.max(1, Math.floor((8 * 1024 * 1024) / segment)) * segment;
    const ranges = [];
    for (let from = 96; from < stored; from += chunk) ranges.push([from, Math.min(stored, from + chunk)]);
    const out = await (await root.getFileHandle('plain.bin', { create: true })).createWritable();
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
  }, { concurrency: CONCURRENCY }));

  const mbps = (seconds) => size / 1e6 / seconds;
  const cpuText = ({ cpu: c }) => Object.entries(c).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  const memory = (m) => `${Math.round(m.total)} MiB (own ${Math.round(m.anon)}, mapped files ${Math.round(m.file)}, shared ${Math.round(m.shmem)})`;
  const row = (name, run) =>
    console.log(`${name.padEnd(34)} ${run.seconds.toFixed(1).padStart(7)} s ${mbps(run.seconds).toFixed(1).padStart(8)} MB/s   CPU s: ${cpuText(run)}; renderer peak ${memory(run.memory)}`);
  console.log(`DDS delivery benchmark: ${size / MIB} MiB, ${CONCURRENCY} parts or ranges at once, embedded S3`);
  row('upload, encrypted (portal page)', encryptedUp);
  row('upload, plain (same parts)', plainUp);
  row('download, encrypted (portal page)', encryptedDown);
  row('download, plain (same ranges)', plainDown);
  console.log(`renderer resident memory: ${memory(loaded)} once the page loaded`);
  const peak = Math.max(encryptedUp.memory.total, encryptedDown.memory.total);
  console.log(`delivery upload-ratio ${(plainUp.seconds / encryptedUp.seconds).toFixed(2)} download-ratio ${(plainDown.seconds / encryptedDown.seconds).toFixed(2)} peak-memory-mib ${Math.round(peak)}`);
} finally {
  await browser.close();
  await portal.stop();
  rmSync(dir, { recursive: true, force: true });
}
