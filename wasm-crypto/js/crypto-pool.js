// DDS crypto worker pool: one worker per core, a bounded queue, transferable buffers.
//
//   const pool = new CryptoPool();
//   // Upload: the pool takes the wasm FileEncryptor over; its key and nonces stay inside.
//   const file = await pool.fileEncryptor(new dds.FileEncryptor(projectPublicKey, size));
//   const segments = await file.encryptNext(data); // the next whole segments, or the file's rest
//   // segments: one ArrayBuffer per segment, in order (e.g. `new Blob(segments)` as a part body)
//   const { sha256, encryptedSha256 } = file.finish();
//   // Download: nonces of any segment may be asked again (decryption cannot reuse a nonce badly).
//   const plain = await pool.decrypt({ key, aad, nonces, data, segmentSize, firstSegment });
//
// Encryption cannot put two plaintexts under one nonce: `encryptNext` is the only way to
// encrypt, it draws the nonces of exactly the segments its plaintext fills (each index once, in
// call order, in wasm) and hashes that plaintext into the checksum; the content key is a
// non-extractable CryptoKey the caller never sees.
//
// `data` (an ArrayBuffer) is transferred to a worker: the caller must not use it afterwards.
// Jobs wait while the queue is full, so a producer that awaits `pool.space()` before reading the
// next chunk never holds more than `maxQueued` jobs in memory (flat memory on multi-GiB files).
//
// Input buffers come back from the workers once WebCrypto has copied them, and the pool keeps
// them for reuse: take the next job's buffer with `pool.buffer(byteLength)` and fill it (e.g.
// `readInto(file.slice(start, end), buffer)`) instead of allocating one per job. A fresh
// multi-MiB ArrayBuffer per job (`blob.arrayBuffer()`, `slice()`) costs about as much as the
// AES-GCM itself: the page faults of new memory and its release after the transfer (measured:
// reuse gives +28% idle, +63% under load, wasm-crypto/README.md).

export class SegmentError extends Error {
  constructor(message, segment) {
    super(segment === undefined ? message : `segment ${segment}: ${message}`);
    this.name = 'SegmentError';
    this.segment = segment;
  }
}

export class CryptoPool {
  constructor({ size, maxQueued, workerUrl } = {}) {
    this.size = size || Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8));
    this.maxQueued = maxQueued || this.size * 3;
    this.perWorker = 2; // two jobs in flight per worker keep WebCrypto busy between messages
    const url = workerUrl || new URL('./crypto-worker.js', import.meta.url);
    this.workers = Array.from({ length: this.size }, () => {
      const worker = new Worker(url, { type: 'module' });
      const slot = { worker, busy: 0 };
      worker.onmessage = (event) => this.#done(slot, event.data);
      worker.onerror = (event) => this.#fail(slot, new Error(`crypto worker failed: ${event.message}`));
      return slot;
    });
    this.nextId = 1;
    this.waiting = []; // jobs not yet sent
    this.inflight = new Map(); // id -> { resolve, reject, slot }
    this.spaceWaiters = [];
    this.closed = false;
    this.free = []; // input buffers the workers handed back, for reuse
  }

  /**
   * Takes over `encryptor` (a wasm `FileEncryptor`, unusable afterwards) and returns the file's
   * encryption: `header()`, `segmentSize`, `segmentCount`, `ciphertextLength`,
   * `encryptNext(data)` and `finish()`.
   */
  async fileEncryptor(encryptor) {
    const layout = {
      header: encryptor.header(),
      segmentSize: encryptor.segmentSize(),
      segmentCount: encryptor.segmentCount(),
      ciphertextLength: encryptor.ciphertextLength(),
    };
    const { key, nonces, checkKey } = await encryptor.intoPoolParts();
    return new PoolFileEncryptor((op, job) => this.#run(op, job), layout, key, nonces, checkKey);
  }

  decrypt(job) {
    return this.#run('decrypt', job);
  }

  /**
   * An ArrayBuffer of exactly `byteLength` bytes for the next job's `data`: one the workers
   * handed back if there is one (its old contents are still in it: overwrite all of it), else
   * a new one.
   */
  buffer(byteLength) {
    const i = this.free.findIndex((b) => b.byteLength === byteLength);
    return i >= 0 ? this.free.splice(i, 1)[0] : new ArrayBuffer(byteLength);
  }

  /** Number of jobs queued or running. */
  get pending() {
    return this.waiting.length + this.inflight.size;
  }

  /** Resolves when a job can be queued: await it before reading the next chunk of a file. */
  async space() {
    while (this.pending >= this.maxQueued && !this.closed) {
      await new Promise((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  async #run(op, { key, aad, nonces, data, segmentSize, firstSegment = 0, checkKey }) {
    await this.space();
    if (this.closed) throw new Error('the crypto pool is closed');
    return new Promise((resolve, reject) => {
      const message = { op, key, aad, nonces, data, segmentSize, firstSegment, checkKey };
      this.waiting.push({ id: this.nextId++, resolve, reject, message });
      this.#dispatch();
    });
  }

  close() {
    this.closed = true;
    for (const { worker } of this.workers) worker.terminate();
    for (const job of [...this.waiting, ...this.inflight.values()]) job.reject(new Error('the crypto pool is closed'));
    this.waiting = [];
    this.inflight.clear();
    this.free = [];
    this.spaceWaiters.splice(0).forEach((wake) => wake());
  }

  #dispatch() {
    while (this.waiting.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      if (slot.busy >= this.perWorker) return;
      const job = this.waiting.shift();
      slot.busy += 1;
      this.inflight.set(job.id, { ...job, slot });
      slot.worker.postMessage({ id: job.id, ...job.message }, [job.message.data]);
    }
  }

  #done(slot, { id, data, error, segment, input, check }) {
    // Enough buffers for every job that can be queued or in flight, no more.
    if (input && !this.closed && this.free.length < this.maxQueued + this.size * this.perWorker) this.free.push(input);
    const job = this.inflight.get(id);
    if (!job) return;
    this.inflight.delete(id);
    slot.busy -= 1;
    if (error) job.reject(new SegmentError(error, segment));
    else job.resolve(job.message.checkKey ? { segments: data, check: new Uint8Array(check) } : data);
    this.spaceWaiters.shift()?.();
    this.#dispatch();
  }

  #fail(slot, error) {
    for (const [id, job] of this.inflight) {
      if (job.slot === slot) {
        this.inflight.delete(id);
        job.reject(error);
      }
    }
    slot.busy = 0;
  }
}

/**
 * One file's encryption through the pool (made by `pool.fileEncryptor`). The content key and the
 * nonce source are private fields; the one operation encrypts the next plaintext of the file.
 */
class PoolFileEncryptor {
  #run;
  #encrypt;
  #key;
  #checkKey;
  #nonces;
  #header;
  #nextSegment = 0;

  constructor(run, layout, key, nonces, checkKey) {
    this.#run = run;
    this.#encrypt = (job) => run('encrypt', job);
    this.#key = key;
    this.#checkKey = checkKey;
    this.#nonces = nonces;
    this.#header = layout.header;
    this.segmentSize = layout.segmentSize;
    this.segmentCount = layout.segmentCount;
    this.ciphertextLength = layout.ciphertextLength;
  }

  /** The file's 96-byte header (the first bytes of the stored object). */
  header() {
    return this.#header.slice();
  }

  /**
   * Encrypts `data` (an ArrayBuffer, transferred), the file's next plaintext: whole segments, or
   * all that is left of the file. Call in file order; the jobs may run concurrently. Resolves
   * with one ArrayBuffer per segment.
   */
  encryptNext(data) {
    return this.#encryptNext(data, undefined);
  }

  /**
   * Like `encryptNext` for a job holding one whole upload part's plaintext: resolves with
   * `{ segments, check }`, `check` being the part check (HMAC-SHA256 of the plaintext under a
   * key derived from the file key, a non-extractable CryptoKey held here).
   */
  encryptPart(data) {
    return this.#encryptNext(data, this.#checkKey);
  }

  /**
   * For a resumed upload: the next part's plaintext (`data`, transferred), already encrypted and
   * stored, is hashed into the checksum and passed over (no nonce drawn for it); resolves with
   * its part check, to compare with the one the portal recorded before it was sent.
   */
  async checkPart(data) {
    this.#nonces.skipNext(new Uint8Array(data));
    // Numbered as if encrypted, so a later segment's error names the right one.
    this.#nextSegment += Math.ceil(data.byteLength / this.segmentSize);
    const { check } = await this.#run('check', { nonces: new Uint8Array(0), data, checkKey: this.#checkKey });
    return check;
  }

  #encryptNext(data, checkKey) {
    // Synchronously, before anything else can run: hash, then the nonces of exactly these segments.
    const nonces = this.#nonces.coverNext(new Uint8Array(data));
    const firstSegment = this.#nextSegment;
    this.#nextSegment += nonces.length / 12;
    return this.#encrypt({ key: this.#key, aad: this.#header, nonces, data, segmentSize: this.segmentSize, firstSegment, checkKey });
  }

  /** After the last segment: `{ sha256, encryptedSha256 }` (Uint8Arrays). */
  finish() {
    const nonces = this.#nonces;
    this.#nonces = null;
    return nonces.finish();
  }
}

/** A read of a local file that makes no progress for this long has stalled: fail, do not wait. */
export const READ_STALL_MS = 30_000;

/**
 * Reads `blob` (e.g. a slice of a File) into `buffer` (from `pool.buffer(blob.size)`) without
 * allocating a new one: the chunks of the blob's stream are copied into it. Resolves with
 * `buffer`, filled. Rejects when the blob ends short or grows, or when a read stalls.
 *
 * Not a BYOB reader, although it would skip one copy: in Chromium a BYOB read of a Blob slice
 * sometimes never resolves (seen about one upload in five: the second part's read hung and the
 * upload with it). The copy costs little next to the allocation the reused buffer saves.
 */
export async function readInto(blob, buffer, stallMs = READ_STALL_MS) {
  if (buffer.byteLength !== blob.size) throw new RangeError(`buffer of ${buffer.byteLength} bytes for a blob of ${blob.size}`);
  const into = new Uint8Array(buffer);
  const reader = blob.stream().getReader();
  let offset = 0;
  try {
    for (;;) {
      const { value, done } = await withDeadline(reader.read(), stallMs, () => `no data for ${stallMs / 1000} s after ${offset} of ${into.length} bytes`);
      if (done) break;
      if (offset + value.byteLength > into.length) throw new Error(`blob grew past its ${into.length} bytes while read`);
      into.set(value, offset);
      offset += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  if (offset !== into.length) throw new Error(`blob ended after ${offset} of ${into.length} bytes`);
  return buffer;
}

/** `promise`, or a rejection with `message()` if it has not settled within `ms`. */
export function withDeadline(promise, ms, message) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
