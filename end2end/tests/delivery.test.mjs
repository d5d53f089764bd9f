// Browser delivery (DESIGN §5) in Chromium against the embedded S3: a Unit Admin uploads a
// folder (an empty file, one of exactly a segment, a small one and one of 64 MiB and a byte,
// sub-folders kept), sees the conflicts when picking it again, then downloads the whole
// project into a folder (an OPFS directory handed to the same code the folder picker feeds):
// the bytes are identical; without the folder picker (Firefox, Safari) a folder arrives as real
// browser downloads streamed by the service worker, identical too. A folder download stopped by a
// closed tab goes on in the same folder, keeping the files saved whole. No request to the portal
// carries a file body. A tampered object is
// refused on download with the file named. A Researcher gets no upload and, while the project
// is In Progress, no files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIn, openPage, seededPortal, waitForHydration } from './portal.mjs';

const PROJECT = 'someunit00001';
const SEGMENT = 256 * 1024; // wasm-crypto's default segment size

/** The folder the test uploads: name -> bytes. */
function batch() {
  const big = Buffer.alloc(64 * 1024 * 1024 + 1);
  for (let i = 0; i + 4 <= big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  return {
    'batch/empty.txt': Buffer.alloc(0),
    'batch/one-segment.bin': Buffer.alloc(SEGMENT, 7),
    'batch/readme.txt': Buffer.from('Delivered by the DDS portal, encrypted in the browser.\n'),
    'batch/run1/sample1/reads.bin': big,
  };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function openProject(page, portal) {
  await page.goto(`${portal.url}/projects/${PROJECT}`);
  await waitForHydration(page);
}

/** Hands the page's folder picker an OPFS folder (what a person would pick) named `name`. */
async function pickOpfsFolder(page, name) {
  await page.evaluate((folder) => {
    window.showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
  }, name);
}

/** SHA-256 (hex) of every file below the OPFS folder `name`, by path. */
async function opfsDigests(page, name) {
  return page.evaluate(async (folder) => {
    const out = {};
    const walk = async (dir, prefix) => {
      for await (const [entry, handle] of dir.entries()) {
        if (handle.kind === 'directory') await walk(handle, `${prefix}${entry}/`);
        else {
          const bytes = await (await handle.getFile()).arrayBuffer();
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          out[prefix + entry] = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
        }
      }
    };
    await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle(folder), '');
    return out;
  }, name);
}

async function waitText(page, testId, pattern, timeout = 120_000) {
  try {
    await page.waitForFunction(
      ([id, source]) => new RegExp(source).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''),
      [testId, pattern.source],
      { timeout },
    );
  } catch (error) {
    // What the page showed instead: the panel's rows and messages say where it stopped.
    const shown = await page
      .evaluate(() => document.querySelector('[data-testid=upload-panel]')?.parentElement?.innerText ?? document.body.innerText)
      .catch((e) => `(page unreadable: ${e.message})`);
    throw new Error(`${testId} never matched ${pattern}: ${error.message}\nThe page showed:\n${shown}`);
  }
  return page.getByTestId(testId).textContent();
}

describe('browser delivery', () => {
  const env = seededPortal();
  const files = batch();
  const local = mkdtempSync(join(tmpdir(), 'dds-delivery-'));
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(local, path, '..'), { recursive: true });
    writeFileSync(join(local, path), bytes);
  }
  // Five parts of 8 MiB: the one cut short.
  const long = Buffer.alloc(40 * 1024 * 1024);
  for (let i = 0; i + 4 <= long.length; i += 1024) long.writeUInt32LE((i * 40503) >>> 0, i);
  mkdirSync(join(local, 'resume'));
  writeFileSync(join(local, 'resume', 'long.bin'), long);
  // Three parts: the one whose session ends.
  mkdirSync(join(local, 'session'));
  writeFileSync(join(local, 'session', 'cut.bin'), long.subarray(0, 20 * 1024 * 1024));

  test('a folder goes up encrypted and comes back identical', async () => {
    const { context, page, problems } = await openPage(env.browser);
    const portalBodies = [];
    page.on('request', (request) => {
      if (request.url().startsWith(env.portal.url) && (request.postDataBuffer()?.length ?? 0) > 16 * 1024) {
        portalBodies.push(`${request.method()} ${request.url()} ${request.postDataBuffer().length} bytes`);
      }
    });
    await logIn(page, env.portal, 'unitadmin_1');
    await openProject(page, env.portal);
    await page.getByTestId('upload-panel').waitFor({ timeout: 30_000 });
    await page.getByTestId('pick-folder').setInputFiles(join(local, 'batch'));
    await waitText(page, 'start-upload', /^Upload 4 file\(s\)/);
    await page.getByTestId('start-upload').click();
    assert.match(await waitText(page, 'upload-summary', /uploaded/), /^4 file\(s\) uploaded\.$/);
    for (const path of Object.keys(files)) {
      assert.equal(await page.locator(`tr[data-upload="${path}"]`).getAttribute('data-state'), 'Done', path);
    }
    await page.locator('tr[data-entry="batch"]').waitFor({ timeout: 20_000 });

    // Picked again: every file already exists; nothing is sent unless replacing is chosen.
    await page.getByTestId('pick-folder').setInputFiles(join(local, 'batch'));
    await page.getByTestId('upload-conflicts').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('upload-conflicts').textContent(), /4 of these already exist/);

    await pickOpfsFolder(page, 'saved');
    await page.getByTestId('download-all').click();
    assert.match(await waitText(page, 'download-status', /^Saved/), /^Saved 4 file\(s\), 67\.4 MB: each one decrypted and its checksum verified\.$/);
    const saved = await opfsDigests(page, 'saved');
    assert.deepEqual(
      saved,
      Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, sha256(bytes)])),
      'every file is back, byte for byte, in its folder',
    );
    // One file asked for: the page shows its checksum, the one sha256sum prints.
    await page.locator('tr[data-entry="batch"] button').first().click();
    await page.locator('button[data-download="batch/readme.txt"]').click();
    const single = await waitText(page, 'download-status', /SHA-256/);
    assert.ok(single.endsWith(`SHA-256 ${sha256(files['batch/readme.txt'])} (compare with sha256sum).`), single);
    assert.deepEqual(portalBodies, [], 'no request to the portal carried a file body');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('without the File System Access API a folder arrives as real browser downloads, identical', async () => {
    const { context, page, problems } = await openPage(env.browser);
    // What Firefox and Safari offer: no folder picker, so the page streams through its service worker.
    await page.addInitScript(() => {
      delete window.showDirectoryPicker;
      delete Window.prototype.showDirectoryPicker;
    });
    const downloads = [];
    page.on('download', (download) => downloads.push(download));
    await logIn(page, env.portal, 'unitadmin_1');
    await openProject(page, env.portal);
    assert.equal(await page.evaluate(() => typeof window.showDirectoryPicker), 'undefined');
    await page.locator('button[data-download="batch"]').click();
    assert.match(
      await waitText(page, 'download-status', /^Saved/),
      /^Saved 4 file\(s\), 67\.4 MB into this browser's downloads \(folders joined to the names with _\): each one decrypted and its checksum verified\.$/,
    );
    const arrived = {};
    for (const download of downloads) {
      assert.equal(await download.failure(), null, download.suggestedFilename());
      arrived[download.suggestedFilename()] = sha256(readFileSync(await download.path()));
    }
    assert.deepEqual(
      arrived,
      Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path.replaceAll('/', '_'), sha256(bytes)])),
      'every file arrived whole in the downloads, its folders in its name',
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a download waits out a network cut and ends identical, without spending its retries', async () => {
    const { context, page, problems } = await openPage(env.browser);
    let offline = false;
    let retriedOffline = 0; // ranges asked again while the network was gone: retries spent
    const asked = new Set();
    page.on('request', (request) => {
      const range = request.headers().range;
      if (!range || !request.url().includes('X-Amz-Signature')) return;
      if (offline && asked.has(range)) retriedOffline += 1;
      asked.add(range);
    });
    await logIn(page, env.portal, 'unitadmin_1');
    await openProject(page, env.portal);
    // Ranged GETs after the first three are held until the network is gone, so they fail offline.
    let holding = true;
    let ranges = 0;
    const held = [];
    await page.route(
      (url) => url.searchParams.has('X-Amz-Signature'),
      (route) => {
        if (!route.request().headers().range) return route.continue();
        ranges += 1;
        return holding && ranges > 3 ? held.push(route) : route.continue();
      },
    );
    await page.locator('tr[data-entry="batch"] button').first().click();
    await page.locator('button[data-download="batch/run1"]').waitFor({ timeout: 20_000 });
    await pickOpfsFolder(page, 'cut');
    await page.locator('button[data-download="batch/run1"]').click();
    for (let i = 0; i < 600 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(held.length >= 2, `ranges reached the wire (${held.length} held)`);

    offline = true;
    await context.setOffline(true);
    holding = false;
    for (const route of held.splice(0)) await route.continue().catch(() => {});
    await new Promise((r) => setTimeout(r, 6000)); // longer than the first three retries' backoff
    const retried = retriedOffline;
    offline = false;
    await context.setOffline(false);
    assert.equal(retried, 0, `${retried} ranges were asked again while offline: the download should wait, not spend retries`);

    assert.match(await waitText(page, 'download-status', /^Saved/), /^Saved 1 file\(s\)/);
    const big = 'batch/run1/sample1/reads.bin';
    assert.deepEqual(await opfsDigests(page, 'cut'), { [big]: sha256(files[big]) });
    // Chromium reports the requests that failed offline; nothing else.
    assert.deepEqual(problems.filter((p) => !p.includes('ERR_INTERNET_DISCONNECTED')), []);
    await context.close();
  });

  test('a folder download stopped by a closed tab goes on in the same folder, keeping the files saved whole', async () => {
    const { context, page, problems } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    await openProject(page, env.portal);
    // The big file's ranges after its first two are held on the wire (never answered): the tab
    // closes with the three small files saved and the big one half written.
    const bigRange = (range) => {
      const [start, end] = range.slice('bytes='.length).split('-').map(Number);
      return end - start > 1024 * 1024;
    };
    let bigRanges = 0;
    await page.route(
      (url) => url.searchParams.has('X-Amz-Signature'),
      (route) => {
        const range = route.request().headers().range;
        if (!range || !bigRange(range)) return route.continue();
        bigRanges += 1;
        return bigRanges <= 2 ? route.continue() : undefined;
      },
    );
    await page.locator('button[data-download="batch"]').waitFor({ timeout: 20_000 });
    await pickOpfsFolder(page, 'again');
    await page.locator('button[data-download="batch"]').click();
    await waitText(page, 'download-status', /^Saving batch: 3 file\(s\), [1-9]/);
    assert.deepEqual(problems, []);
    await page.close();

    // The same folder again, in a new tab and a new login (keys unlock per tab); one saved file
    // was changed meanwhile (same size).
    await context.clearCookies();
    const again = await context.newPage();
    const said = [];
    again.on('console', (message) => message.type() === 'error' && said.push(message.text()));
    const fetched = new Set(); // objects whose content (not just their header) was fetched
    again.on('request', (request) => {
      const range = request.headers().range;
      if (range && request.url().includes('X-Amz-Signature') && !range.startsWith('bytes=0-')) {
        fetched.add(new URL(request.url()).pathname);
      }
    });
    await logIn(again, env.portal, 'unitadmin_1');
    await openProject(again, env.portal);
    await again.evaluate(async (size) => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('again');
      const file = await (await root.getDirectoryHandle('batch')).getFileHandle('one-segment.bin');
      const writable = await file.createWritable();
      await writable.write(new Uint8Array(size).fill(9));
      await writable.close();
    }, SEGMENT);
    await pickOpfsFolder(again, 'again');
    await again.locator('button[data-download="batch"]').click();
    assert.equal(
      await waitText(again, 'download-status', /^Saved/),
      'Saved 4 file(s), 67.4 MB: each one decrypted and its checksum verified. 2 of them an earlier download had saved whole (same size and checksum): kept, not fetched again.',
    );
    assert.equal(fetched.size, 2, 'only the changed file and the half-written one were fetched again');
    assert.deepEqual(
      await opfsDigests(again, 'again'),
      Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, sha256(bytes)])),
    );
    assert.deepEqual(said, []);
    await context.close();
  });

  test('an upload cut by the network and a closed tab resumes and ends identical', async () => {
    const first = await openPage(env.browser);
    // Parts whose ETag the portal recorded (reported right after each PUT).
    let stored = 0;
    first.page.on('response', (response) => {
      const request = response.request();
      if (request.url().endsWith('/urls') && response.ok() && request.postData()?.includes('"parts":[]')) stored += 1;
    });
    // Parts 1 and 2 reach the storage; the later ones are held on the wire (never answered), so
    // the cut below always lands mid-upload, however fast the machine sends.
    await first.page.route(
      (url) => url.searchParams.has('partNumber'),
      (route) => (Number(new URL(route.request().url()).searchParams.get('partNumber')) <= 2 ? route.continue() : undefined),
    );
    await logIn(first.page, env.portal, 'unitadmin_1');
    await openProject(first.page, env.portal);
    await first.page.getByTestId('upload-panel').waitFor({ timeout: 30_000 });
    await first.page.getByTestId('pick-folder').setInputFiles(join(local, 'resume'));
    await waitText(first.page, 'start-upload', /^Upload 1 file\(s\)/);
    await first.page.getByTestId('start-upload').click();
    // Two parts stored and reported, then the network goes and the tab is closed.
    for (let i = 0; i < 600 && stored < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const rows = await first.page.getByTestId('upload-files').textContent();
    assert.ok(stored >= 2, `two parts reached the storage (${stored}): ${rows} ${first.problems}`);
    await first.context.setOffline(true);
    await first.page.close();
    await first.context.close();

    const second = await openPage(env.browser);
    let sent = 0;
    const open = new Set(); // requests without an answer yet: where a stuck resume waits
    second.page.on('request', (request) => {
      if (request.method() === 'PUT') sent += 1;
      open.add(request);
    });
    const said = []; // everything the page logged, shown if the resume never ends
    second.page.on('console', (message) => said.push(`${message.type()}: ${message.text()}`));
    second.page.on('requestfinished', (request) => open.delete(request));
    second.page.on('requestfailed', (request) => open.delete(request));
    await logIn(second.page, env.portal, 'unitadmin_1');
    await openProject(second.page, env.portal);
    await second.page.getByTestId('upload-panel').waitFor({ timeout: 30_000 });
    await second.page.getByTestId('pick-folder').setInputFiles(join(local, 'resume'));
    await second.page.getByTestId('upload-conflicts').waitFor({ timeout: 20_000 });
    assert.match(await second.page.getByTestId('upload-conflicts').textContent(), /1 have an upload under way/);
    await second.page.getByTestId('start-upload').click();
    const summary = await waitText(second.page, 'upload-summary', /uploaded/).catch((error) => {
      const waiting = [...open].map((r) => `${r.method()} ${r.url().split('?')[0]}`);
      throw new Error(`${error.message}\nUnanswered: ${waiting.join(', ') || 'none'}; ${sent} PUT(s)\nConsole:\n${said.join('\n')}\nPortal:\n${env.portal.log().split('\n').filter((l) => !l.includes('/pkg/')).slice(-40).join('\n')}`);
    });
    assert.equal(summary, '1 file(s) uploaded.');
    assert.ok(sent < 5, `the resumed upload sent ${sent} of its 5 parts again, not all`);

    await second.page.locator('tr[data-entry="resume"] button').first().click();
    await second.page.locator('button[data-download="resume/long.bin"]').waitFor({ timeout: 20_000 });
    await pickOpfsFolder(second.page, 'resumed');
    await second.page.locator('button[data-download="resume/long.bin"]').click();
    await waitText(second.page, 'download-status', /^Saved 1 file/);
    assert.deepEqual(await opfsDigests(second.page, 'resumed'), { 'resume/long.bin': sha256(long) });
    assert.deepEqual(second.problems, []);
    // Nothing lost or left behind: every object has its row and every row its object.
    const report = execFileSync(process.env.DDS_BIN, ['reconcile'], {
      env: { ...process.env, DDS_DATA_DIR: env.portal.dataDir, DATABASE_URL: '' },
    }).toString();
    assert.match(report, /reconcile: 1 project\(s\), 0 object\(s\) without a file row, 0 file\(s\) without their object\n$/);
    await second.context.close();
  });

  test('a session that ends mid-upload asks for a new login, then the upload goes on', async () => {
    const { context, page } = await openPage(env.browser);
    // Parts 2 and 3 are held on the wire until the session has gone, so they report into a dead session.
    const held = [];
    await page.route(
      (url) => url.searchParams.has('partNumber'),
      (route) => (Number(new URL(route.request().url()).searchParams.get('partNumber')) >= 2 ? held.push(route) : route.continue()),
    );
    await logIn(page, env.portal, 'unitadmin_1');
    await openProject(page, env.portal);
    await page.getByTestId('upload-panel').waitFor({ timeout: 30_000 });
    await page.getByTestId('pick-folder').setInputFiles(join(local, 'session'));
    await waitText(page, 'start-upload', /^Upload 1 file\(s\)/);
    await page.getByTestId('start-upload').click();
    for (let i = 0; i < 600 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(held.length, 2, 'parts 2 and 3 reached the wire');

    await context.clearCookies(); // the session ends (as when it expires)
    for (const route of held) await route.continue();
    await page.getByTestId('session-lost').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('session-lost').textContent(), /Log in again as unitadmin_1 in a new tab/);
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'session-lost-login', null, { timeout: 5000 });
    assert.equal(await page.getByTestId('upload-summary').count(), 0, 'the upload waits, it has not failed');

    const other = await context.newPage(); // the new tab the dialog offers, same browser
    await logIn(other, env.portal, 'unitadmin_1');
    assert.equal(await waitText(page, 'upload-summary', /uploaded/), '1 file(s) uploaded.');
    assert.equal(await page.getByTestId('session-lost').count(), 0, 'the dialog closed by itself');
    await page.locator('tr[data-entry="session"]').waitFor({ timeout: 20_000 });
    await context.close();
  });

  test('a tampered object is refused on download, naming the file', async () => {
    // Flip one byte inside the stored readme (the embedded S3 keeps objects as files).
    const s3 = join(env.portal.dataDir, 's3');
    const objects = readdirSync(s3, { recursive: true })
      .map((name) => join(s3, name))
      .filter((path) => statSync(path).isFile() && statSync(path).size === 96 + 55 + 16);
    assert.equal(objects.length, 1, 'the readme object is found by its size');
    const bytes = readFileSync(objects[0]);
    bytes[120] ^= 1;
    writeFileSync(objects[0], bytes);

    const { page } = await openPage(env.browser);
    await logIn(page, env.portal, 'unitadmin_1');
    await openProject(page, env.portal);
    await page.locator('tr[data-entry="batch"] button').first().click();
    await page.locator('button[data-download="batch/readme.txt"]').waitFor({ timeout: 20_000 });
    await pickOpfsFolder(page, 'tampered');
    await page.locator('button[data-download="batch/readme.txt"]').click();
    const error = await waitText(page, 'download-error', /integrity/);
    assert.match(error, /^batch\/readme\.txt failed its integrity check/);
  });

  test('a Researcher cannot upload, nor download while the project is In Progress', async () => {
    const { page } = await openPage(env.browser);
    await logIn(page, env.portal, 'researchuser_1');
    await openProject(page, env.portal);
    await page.getByTestId('project-status').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('upload-panel').count(), 0);
    assert.equal(await page.getByTestId('download-all').count(), 0);
    const refused = await page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/projects/${id}/downloads`);
      return [response.status, (await response.json()).error];
    }, PROJECT);
    assert.deepEqual(refused, [403, 'Current Project status limits file download.']);
    rmSync(local, { recursive: true, force: true });
  });
});
