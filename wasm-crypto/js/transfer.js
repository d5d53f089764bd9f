// DDS browser transfers: one file's encrypted bytes to S3 and back (DESIGN §5). The portal's
// client (app/src/client/transfer.rs) asks the portal for what to do and passes the answers in as
// callbacks; this module moves bytes: the workers read a File part by part into the pool's
// recycled buffers and encrypt each part (its part check comes from the hashing worker), this module PUTs several at once
// to presigned URLs with retries, and on the way back fetches ranges, decrypts them in the
// workers, hashes and writes them in order. Memory stays flat: at most `concurrency` parts are
// read, encrypted or in flight at any moment, whatever the file's size.

import { READ_STALL_MS, ReadError, withDeadline } from './crypto-pool.js';

export const HEADER_LEN = 96;
const TAG = 16;
const RETRIES = 6;

/** A transfer the user or a failure stopped: `message` is a sentence naming the file. */
export class TransferError extends Error {
  constructor(message, { cause, status } = {}) {
    super(message);
    this.name = 'TransferError';
    this.cause = cause;
    this.status = status;
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason ?? new DOMException('stopped', 'AbortError'));
    }, { once: true });
  });

/**
 * Resolves when the browser is online (at once if it is; else at its `online` event), rejects
 * when `signal` aborts. A transfer waits here through a network cut or a sleeping laptop,
 * however long, instead of spending its retries, and goes on from where it was.
 */
function online(signal) {
  if (globalThis.navigator?.onLine !== false) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const back = () => {
      globalThis.removeEventListener('online', back);
      resolve();
    };
    globalThis.addEventListener('online', back);
    signal?.addEventListener('abort', () => {
      globalThis.removeEventListener('online', back);
      reject(signal.reason ?? new DOMException('stopped', 'AbortError'));
    }, { once: true });
  });
}

/** Whether a failure is the network's while the browser is offline (worth waiting out). */
const offline = (error) =>
  globalThis.navigator?.onLine === false && error.name !== 'AbortError' && !(error instanceof TransferError) && !error.status;

/** 0.5 s, 1 s, 2 s, ... with jitter, at most 16 s. */
const backoff = (attempt) => Math.min(16000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);

/**
 * Runs `work(i)` for i in 0..count with at most `limit` at once, in order of start; the first
 * failure stops the rest.
 */
async function bounded(count, limit, work) {
  let next = 0;
  let failed = null;
  const lane = async () => {
    while (next < count && !failed) {
      const i = next++;
      try {
        await work(i);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  if (failed) throw failed;
}

/**
 * Sends `file` encrypted by `encryptor` (a PoolFileEncryptor from `pool.fileEncryptor`) as the
 * parts of a multipart upload.
 *   partSize, partCount: the portal's plan (ciphertext bytes per part; the first also holds the header)
 *   signParts([{ number, check }], [{ number, etag }]) -> Promise<[{ number, url, size_bytes }]>:
 *     records each part's check and presigns its URL (called again for a fresh URL when one
 *     expired), and reports the ETags of parts sent since the last call (kept for a resume)
 *   onProgress(plaintextBytesDone), signal (AbortSignal), concurrency (parts in flight)
 *   sent: for a resumed upload (encryptor from `FileEncryptor.resume`), the parts the storage
 *     holds, [{ number, etag, check (Uint8Array) }]: each is read again and its check compared;
 *     equal, it is kept (not sent); different, the upload stops with `changed` set.
 * Resolves with { parts: [{ number, etag }], encryptedSha256 (Uint8Array) }.
 */
export async function uploadFile({ pool, file, encryptor, partSize, partCount, signParts, onProgress, signal, concurrency = 4, sent = [] }) {
  const segmentSize = encryptor.segmentSize;
  const perPart = partSize / (segmentSize + TAG);
  if (!Number.isInteger(perPart) || perPart < 1) throw new TransferError(`the part size ${partSize} does not hold whole segments`);
  const plainPerPart = perPart * segmentSize;
  const header = encryptor.header();
  const etags = new Array(partCount);
  const stored = new Map(sent.map((part) => [part.number, part]));
  const unreported = [];
  const sign = (parts) => signParts(parts, unreported.splice(0));
  const unreadable = (cause) => {
    if (cause instanceof ReadError) throw new TransferError(`${file.name} could not be read: was it moved or changed?`, { cause });
    throw cause;
  };
  let done = 0;
  // Parts are handed to the workers in file order (the nonces are drawn in that order); the
  // workers read and encrypt them in parallel, then they are sent concurrently: `reading` keeps
  // the order, `bounded` caps the parts held at once.
  let reading = Promise.resolve();
  try {
    await bounded(partCount, concurrency, async (i) => {
      const number = i + 1;
      const start = i * plainPerPart;
      const end = Math.min(file.size, start + plainPerPart);
      const kept = stored.get(number);
      let encrypted;
      let checked;
      const turn = reading.then(async () => {
        signal?.throwIfAborted();
        await pool.space();
        const slice = file.slice(start, end);
        if (kept) checked = encryptor.checkPartFrom(slice).catch(unreadable);
        else encrypted = encryptor.encryptPartFrom(slice).catch(unreadable);
      });
      reading = turn.catch(() => {});
      await turn;
      if (kept) {
        const check = await checked;
        if (check.length !== kept.check.length || check.some((b, j) => b !== kept.check[j])) {
          throw Object.assign(new TransferError(`${file.name} changed since its upload started`), { changed: true });
        }
        etags[i] = { number, etag: kept.etag };
        done += end - start;
        onProgress?.(done);
        return;
      }
      const { ciphertext, check } = await encrypted;
      // The Blob copies the ciphertext: its pooled buffer goes back at once.
      const body = new Blob(number === 1 ? [header, ciphertext] : [ciphertext]);
      pool.recycle(ciphertext.buffer);
      const etag = await putPart({ number, check, body, signParts: sign, signal, name: file.name });
      etags[i] = { number, etag };
      // Reported at once, so a tab closed now still resumes after this part; if the report
      // fails it goes with the next URL request.
      await signParts([], [{ number, etag }]).catch(() => unreported.push({ number, etag }));
      done += end - start;
      onProgress?.(done);
    });
    // The checksum is ready once the hashing worker has caught up with the last part.
    const { encryptedSha256 } = await encryptor.finish();
    return { parts: etags, encryptedSha256 };
  } catch (error) {
    encryptor.abandon(); // the hashing worker forgets the file
    throw error;
  } finally {
    pool.trim();
  }
}

async function putPart({ number, check, body, signParts, signal, name }) {
  let url = null;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      if (!url) {
        const [signed] = await signParts([{ number, check }]);
        if (signed.size_bytes !== body.size) {
          throw new TransferError(`part ${number} of ${name} has ${body.size} bytes where ${signed.size_bytes} were planned`);
        }
        url = signed.url;
      }
      const response = await fetch(url, { method: 'PUT', body, signal });
      if (response.ok) {
        const etag = response.headers.get('ETag');
        if (!etag) throw new TransferError('the storage did not show the ETag of a part: its CORS settings must expose ETag');
        return etag;
      }
      // 403: the URL expired (or the clock moved): sign again. Anything else: try again later.
      if (response.status === 403) url = null;
      if (attempt >= RETRIES) {
        throw new TransferError(`the storage refused part ${number} of ${name} (${response.status})`, { status: response.status });
      }
    } catch (error) {
      // Offline: wait for the network, then send the part again (no retry spent).
      if (offline(error)) {
        await online(signal);
        attempt -= 1;
        continue;
      }
      // The portal refused (`fatal`), the user stopped, or retries ran out: stop. A network
      // failure: wait and send the part again.
      if (error.name === 'AbortError' || error instanceof TransferError || error.fatal || attempt >= RETRIES || error.status) throw error;
    }
    await sleep(backoff(attempt), signal);
  }
}

/**
 * Reads a response body into `buffer` (exactly its length; a recycled one from the pool), with
 * a BYOB reader: no new memory per range. Resolves with the filled buffer, or null when the body
 * ended short.
 */
async function readBodyInto(response, buffer) {
  const reader = response.body.getReader({ mode: 'byob' });
  let offset = 0;
  try {
    while (offset < buffer.byteLength) {
      // A body that stops mid-range fails (and is fetched again) instead of hanging the download.
      const read = reader.read(new Uint8Array(buffer, offset));
      const { value, done } = await withDeadline(read, READ_STALL_MS, () => `the storage sent nothing for ${READ_STALL_MS / 1000} s`);
      if (done) return null;
      buffer = value.buffer;
      offset += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return buffer;
}

/** GET bytes [start, end) of `url`, retried; resolves with an ArrayBuffer of exactly that length. */
async function fetchRange({ url, start, end, signal, name, renewUrl, pool }) {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      const response = await fetch(url(), { headers: { Range: `bytes=${start}-${end - 1}` }, signal });
      if (response.status === 206 || (response.status === 200 && start === 0)) {
        const data = pool
          ? await readBodyInto(response, pool.buffer(end - start))
          : new Uint8Array(await response.arrayBuffer()).slice(0, end - start).buffer;
        if (data && data.byteLength === end - start) return data;
        throw new TransferError(`${name} is shorter in the storage than recorded: it cannot be downloaded whole`);
      }
      if (response.status === 403 && renewUrl) await renewUrl();
      else if (response.status === 404) throw new TransferError(`${name} is missing from the storage`, { status: 404 });
      if (attempt >= RETRIES) throw new TransferError(`the storage refused ${name} (${response.status})`, { status: response.status });
    } catch (error) {
      // Offline: wait for the network, then fetch the range again (no retry spent).
      if (offline(error)) {
        await online(signal);
        attempt -= 1;
        continue;
      }
      if (error.name === 'AbortError' || error instanceof TransferError || attempt >= RETRIES) throw error;
    }
    await sleep(backoff(attempt), signal);
  }
}

/**
 * Fetches, decrypts and verifies one file.
 *   url(): its presigned GET URL now; renewUrl(): asks the portal for a fresh one
 *   storedBytes: the object's size; name: for messages
 *   openHeader(Uint8Array) -> FileDecryptor (the project key stays in wasm)
 *   sealedChecksum: Uint8Array or null (the plaintext is hashed in the pool's hashing worker)
 *   write(Uint8Array) -> Promise: called in order with each decrypted chunk (it may keep the
 *     chunk's memory: the caller does not touch it afterwards)
 *   chunkBytes: about how many bytes each ranged GET fetches (whole segments)
 *   existing: the File already at the destination (a download stopped by a closed tab saved it),
 *     or null: when its size and SHA-256 are the recorded ones it is kept, and nothing is fetched
 *     but the header (`write` is never called)
 * Resolves with { sha256 (Uint8Array), verified (whether a recorded checksum was compared),
 * kept (whether `existing` was kept) }.
 */
export async function downloadFile({
  pool, url, renewUrl, storedBytes, name, openHeader, sealedChecksum, write, onProgress, signal,
  concurrency = 4, chunkBytes = 8 * 1024 * 1024, existing = null,
}) {
  const header = new Uint8Array(await fetchRange({ url, start: 0, end: HEADER_LEN, signal, name, renewUrl }));
  let decryptor;
  try {
    decryptor = openHeader(header);
  } catch (cause) {
    throw new TransferError(`${name} cannot be opened: its header is damaged or was not made for this project`, { cause });
  }
  const expected = sealedChecksum ? recordedChecksum(decryptor, sealedChecksum, name) : null;
  if (expected && existing?.size === decryptor.plaintextLength()) {
    const sha256 = await pool.hashBlob(existing, { signal, onProgress }).catch((error) => {
      if (error.name === 'AbortError') throw error;
      return null; // unreadable (moved, changed meanwhile): fetched again
    });
    if (sha256 && same(sha256, expected)) return { sha256, verified: true, kept: true };
    onProgress?.(0);
  }
  const key = await decryptor.contentKey();
  const segmentSize = decryptor.segmentSize();
  const segmentCount = decryptor.segmentCount();
  // Ranges of whole segments, about 8 MiB each: what is in flight stays small and the pool's
  // recycled buffers fit every range. Each range is decrypted in its own buffer, hashed and
  // written as one chunk, and its buffer goes back to the pool for the next range.
  const chunkSegments = Math.max(1, Math.floor(chunkBytes / (segmentSize + TAG)));
  const chunks = Math.ceil(segmentCount / chunkSegments);
  const pending = new Map(); // chunk index -> Promise of its plaintext (Uint8Array), hashed
  // The SHA-256 runs in the hashing worker as chunks arrive (in file order there), so it never
  // holds up the page's thread; a chunk is written once its segments are hashed and back.
  const hash = pool.hashStream();
  let written = 0;
  let done = 0;
  const decryptChunk = async (c) => {
    const first = c * chunkSegments;
    const count = Math.min(chunkSegments, segmentCount - first);
    const start = decryptor.segmentOffset(first);
    const end = Math.min(storedBytes, decryptor.segmentOffset(first + count));
    const data = await fetchRange({ url, start, end, signal, name, renewUrl, pool });
    let plain;
    try {
      plain = await pool.decrypt({ key, aad: header, nonces: decryptor.nonces(first, count), data, segmentSize, firstSegment: first });
    } catch (error) {
      const where = error.segment === undefined ? '' : ` at byte ${error.segment * segmentSize}`;
      throw new TransferError(`${name} failed its integrity check${where}: it was damaged or tampered with, and was not saved whole`, { cause: error });
    }
    const length = plain.byteLength; // the view is detached once its buffer goes to the hasher
    const hashed = await hash.update(c, plain.buffer, length);
    if (hashed === null) throw new TransferError(`${name} could not be checked: its checksum stopped`);
    return new Uint8Array(hashed.buffer, 0, length);
  };
  // Chunks are fetched and decrypted `concurrency` at a time and written strictly in order.
  let next = 0;
  const startNext = () => {
    if (next < chunks) {
      const c = next++;
      const job = decryptChunk(c);
      job.catch(() => {});
      pending.set(c, job);
    }
  };
  try {
    for (let i = 0; i < concurrency; i++) startNext();
    while (written < chunks) {
      const bytes = await pending.get(written);
      pending.delete(written);
      startNext();
      const { buffer, byteLength } = bytes; // `write` may detach the buffer (a streamed download)
      await write(bytes);
      pool.recycle(buffer);
      done += byteLength;
      written += 1;
      onProgress?.(done);
    }
  } catch (error) {
    hash.drop();
    throw error;
  } finally {
    pool.trim();
  }
  const sha256 = await hash.digest(chunks);
  if (expected && !same(sha256, expected)) {
    throw new TransferError(`${name} does not match its recorded checksum: it was damaged or tampered with`);
  }
  return { sha256, verified: Boolean(expected), kept: false };
}

/** The plaintext's SHA-256 sealed at upload, opened with the file's header. */
function recordedChecksum(decryptor, sealed, name) {
  try {
    return decryptor.decryptChecksum(sealed);
  } catch (cause) {
    throw new TransferError(`the recorded checksum of ${name} cannot be opened: it was tampered with`, { cause });
  }
}

const same = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * A writer for `path` ("a/b/c.txt") below a directory handle (File System Access API or OPFS):
 * folders are made as needed; the file is written through a writable stream and replaced only
 * when closed (the browser keeps the half-written bytes in a swap file until then, and drops
 * them when the tab closes first). `existing`: the File already there, or null. `abort()`
 * leaves it as it was.
 */
export async function fileWriter(directory, path) {
  const parts = path.split('/');
  let folder = directory;
  for (const part of parts.slice(0, -1)) folder = await folder.getDirectoryHandle(part, { create: true });
  const name = parts[parts.length - 1];
  // What an earlier download left there (a stopped one's finished files): checked, maybe kept.
  const existing = await folder.getFileHandle(name).then((found) => found.getFile(), () => null);
  const handle = await folder.getFileHandle(name, { create: true });
  const stream = await handle.createWritable();
  return {
    existing,
    write: (bytes) => stream.write(bytes),
    close: () => stream.close(),
    abort: () => stream.abort(),
  };
}

/** The files of an `<input type="file">` (with `webkitdirectory`, their paths below the folder). */
export function pickedFromInput(input) {
  return Array.from(input.files || [], (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/**
 * The files dropped on the page, whole folders walked (sub-paths kept, empty files included).
 * Resolves with [{ path, file }].
 */
export async function pickedFromDrop(dataTransfer) {
  const entries = Array.from(dataTransfer.items || [])
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter(Boolean);
  if (entries.length === 0) return Array.from(dataTransfer.files || [], (file) => ({ path: file.name, file }));
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      // readEntries answers in batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

/** Asks the user for a folder to save into (File System Access API); null where it is missing. */
export async function pickDirectory() {
  if (typeof window.showDirectoryPicker !== 'function') return null;
  return window.showDirectoryPicker({ mode: 'readwrite', id: 'dds-download' });
}
