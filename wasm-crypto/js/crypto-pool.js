// DDS crypto worker pool: one worker per core, a bounded queue, transferable buffers.
//
//   const pool = new CryptoPool();
//   // Upload: the pool takes the wasm FileEncryptor over; its key and nonces stay inside.
//   const file = await pool.fileEncryptor(new dds.FileEncryptor(projectPublicKey, size));
//   const ciphertext = await file.encryptNext(data); // the next whole segments, or the file's rest
//   // ciphertext: a Uint8Array of the segments one after another (in a pooled buffer: a part body
//   // is `new Blob([ciphertext])`, which copies it; then `pool.recycle(ciphertext.buffer)`)
//   const { sha256, encryptedSha256 } = await file.finish();
//   // Download: nonces of any segment may be asked again (decryption cannot reuse a nonce badly).
//   const plain = await pool.decrypt({ key, aad, nonces, data, segmentSize, firstSegment });
//   // plain: a Uint8Array over `data` itself (decrypted in place); recycle its buffer once used
//
// Encryption cannot put two plaintexts under one nonce: `encryptNext` is the only way to
// encrypt, it draws the nonces of exactly the segments its plaintext fills (each index once, in
// call order, in wasm); the content key is a non-extractable CryptoKey the caller never sees.
// Once a job is encrypted its plaintext goes on to the pool's hashing worker (hash-worker.js),
// which hashes the file in order, off the page's thread, and hands the buffer back for reuse.
//
// `data` (an ArrayBuffer) is transferred to a worker: the caller must not use it afterwards.
// Jobs wait while the queue is full, so a producer that awaits `pool.space()` before reading the
// next chunk never holds more than `maxQueued` jobs in memory (flat memory on multi-GiB files).
//
// Input buffers come back from the workers once WebCrypto has copied them, and the pool keeps
// them for reuse: take the next job's buffer with `pool.buffer(byteLength)` and fill it (e.g.
// `readInto(file.slice(start, end), buffer)`) instead of allocating one per job; outputs are
// written into pooled buffers too (the ciphertext into a second one, the plaintext over the
// ciphertext), which the caller hands back with `pool.recycle(buffer)` once used. A fresh
// multi-MiB ArrayBuffer per job (`blob.arrayBuffer()`, `slice()`, or one per segment) costs about
// as much as the AES-GCM itself: the page faults of new memory and its release after the transfer
// (measured: reuse gives +28% idle, +63% under load, wasm-crypto/README.md).

export { READ_STALL_MS, readInto, withDeadline } from './read.js';

/** Bytes of AES-GCM tag after each segment's ciphertext. */
const TAG = 16;

/** A job's File slice could not be read (moved, changed, or a stalled disk). */
export class ReadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ReadError';
  }
}

export class SegmentError extends Error {
  constructor(message, segment) {
    super(segment === undefined ? message : `segment ${segment}: ${message}`);
    this.name = 'SegmentError';
    this.segment = segment;
  }
}

export class CryptoPool {
  constructor({ size, maxQueued, workerUrl, hashModule } = {}) {
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
    this.hashing = 0; // input buffers at the hashing worker (they count as queued jobs)
    // The wasm module the hashing worker loads: the SHA-256 alone, built beside this file
    // (scripts/build.sh: wasm-crypto with `--features hash`).
    this.hashModule = hashModule || new URL('./sha256.js', import.meta.url).href;
    this.hasher = null; // made on first use
  }

  /** A new SHA-256 of one file, in the hashing worker (see `HashStream`). */
  hashStream() {
    // A hashing worker that failed is replaced, not posted to.
    if (!this.hasher || this.hasher.failed) this.hasher = new HashWorker(this.hashModule);
    return this.hasher.open();
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
    const hash = this.hashStream();
    const run = (op, job, hashed) => this.#run(op, job, hashed);
    return new PoolFileEncryptor(run, (length) => this.buffer(length), layout, key, nonces, checkKey, hash);
  }

  decrypt(job) {
    return this.#run('decrypt', job);
  }

  /**
   * The SHA-256 (Uint8Array) of a whole Blob, e.g. a file a stopped download already saved:
   * read in the workers, `chunkBytes` at a time into recycled buffers, and hashed in order in
   * the hashing worker, like an upload's parts (the page's thread never reads it).
   * `onProgress(bytes)` as chunks are read. Rejects with a `ReadError` when the Blob cannot be
   * read, or when `signal` aborts.
   */
  async hashBlob(blob, { chunkBytes = 8 * 1024 * 1024, signal, onProgress } = {}) {
    const stream = this.hashStream();
    const count = Math.ceil(blob.size / chunkBytes);
    const reads = [];
    let failed = null;
    let read = 0;
    for (let seq = 0; seq < count && !failed; seq++) {
      if (signal?.aborted) failed = signal.reason ?? new DOMException('stopped', 'AbortError');
      // In file order: a later chunk let in first would hold a place the earlier one needs.
      else await this.space();
      if (failed) break;
      const source = blob.slice(seq * chunkBytes, Math.min(blob.size, (seq + 1) * chunkBytes));
      const job = this.#run('read', { nonces: new Uint8Array(0), data: this.buffer(source.size), source }, { stream, seq });
      reads.push(job.then(() => onProgress?.((read += source.size)), (error) => {
        failed ??= error;
      }));
    }
    // Every read settled before answering: none is left running in the pool.
    await Promise.all(reads);
    if (failed) {
      stream.drop();
      throw failed;
    }
    return stream.digest(count);
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

  /**
   * Hands a buffer back for reuse (an output the caller is done with). The newest are kept:
   * enough for every job that can be queued or in flight; older ones, often of another
   * transfer's sizes, are let go.
   */
  recycle(buffer) {
    if (!buffer || buffer.byteLength === 0 || this.closed) return; // detached (sent on) or closed
    this.free.push(buffer);
    if (this.free.length > this.maxQueued) this.free.shift();
  }

  /** Lets every kept buffer go: a transfer ended, and the next may need other sizes. */
  trim() {
    this.free = [];
  }

  /** Number of jobs queued, running or being hashed. */
  get pending() {
    return this.waiting.length + this.inflight.size + this.hashing;
  }

  /**
   * Resolves when a job can be queued: await it before reading the next chunk of a file.
   * Waiting callers go in in the order they asked: one woken whose place was taken meanwhile
   * goes back to the front, not the back. A file's jobs must reach the workers, and so the
   * hashing worker, in file order: a later job let in first would leave its plaintext at the
   * hasher, waiting for the earlier one and holding a place that one needs (the upload would
   * hang).
   */
  async space() {
    for (let woken = false; this.pending >= this.maxQueued && !this.closed; woken = true) {
      const again = woken;
      await new Promise((resolve) => (again ? this.spaceWaiters.unshift(resolve) : this.spaceWaiters.push(resolve)));
    }
  }

  /** A place came free: the caller that has waited longest goes in. */
  #wake() {
    if (this.pending < this.maxQueued) this.spaceWaiters.shift()?.();
  }

  /**
   * `hashed`: `{ stream, seq, checkKey? }` where the job's plaintext goes once encrypted; with
   * `checkKey` (an upload part) the job resolves with `{ ciphertext, check }` once hashed.
   */
  async #run(op, { key, aad, nonces, data, out, source, segmentSize, firstSegment = 0 }, hashed) {
    await this.space();
    if (this.closed) throw new Error('the crypto pool is closed');
    return new Promise((resolve, reject) => {
      const message = { op, key, aad, nonces, data, out, source, segmentSize, firstSegment };
      this.waiting.push({ id: this.nextId++, resolve, reject, message, hashed });
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
    this.hasher?.close();
    this.spaceWaiters.splice(0).forEach((wake) => wake());
  }

  #dispatch() {
    while (this.waiting.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      if (slot.busy >= this.perWorker) return;
      const job = this.waiting.shift();
      slot.busy += 1;
      this.inflight.set(job.id, { ...job, slot });
      const transfer = job.message.out ? [job.message.data, job.message.out] : [job.message.data];
      slot.worker.postMessage({ id: job.id, ...job.message }, transfer);
    }
  }

  #done(slot, { id, data, length, error, segment, input, unread }) {
    const job = this.inflight.get(id);
    let hashed = null;
    if (job?.hashed && input && !error) {
      // The plaintext goes on to the hashing worker, still counted as a queued job until the
      // buffer comes back (with the part check, if one was asked for).
      this.hashing += 1;
      const { stream, seq, checkKey } = job.hashed;
      hashed = stream.update(seq, input, input.byteLength, checkKey).then((answer) => {
        this.hashing -= 1;
        this.recycle(answer?.buffer);
        this.#wake();
        return answer;
      });
    } else {
      this.recycle(input);
    }
    if (!job) return;
    this.inflight.delete(id);
    slot.busy -= 1;
    if (error) {
      // A job that failed never reaches the hashing worker: its file can no longer be hashed,
      // and the later parts waiting there for their checks must be let go (not left to hang).
      job.hashed?.stream.drop();
      job.reject(unread ? new ReadError(error) : new SegmentError(error, segment));
    } else {
      const output = data ? new Uint8Array(data, 0, length) : null;
      if (!job.hashed?.checkKey) job.resolve(output);
      else if (!hashed) job.reject(new Error('the part check could not be computed: the plaintext did not come back'));
      else {
        job.resolve(hashed.then((answer) => {
          if (!answer?.check) throw new Error('the part check stopped: the file could not be hashed');
          return { ciphertext: output, check: new Uint8Array(answer.check) };
        }));
      }
    }
    // A job whose plaintext went on to the hasher still holds its place until it comes back.
    if (!job.hashed || !input || error) this.#wake();
    this.#dispatch();
  }

  #fail(slot, error) {
    for (const [id, job] of this.inflight) {
      if (job.slot === slot) {
        this.inflight.delete(id);
        job.hashed?.stream.drop(); // as a failed job in #done
        job.reject(error);
        this.#wake();
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
  #hash;
  #buffer;
  #nextSegment = 0;
  #nextChunk = 0;

  constructor(run, buffer, layout, key, nonces, checkKey, hash) {
    this.#run = run;
    this.#buffer = buffer;
    this.#hash = hash;
    this.#encrypt = (job, checkKey) => run('encrypt', job, this.#hashed(checkKey));
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
   * with the ciphertext, a Uint8Array over a pooled buffer (see `CryptoPool.recycle`).
   */
  encryptNext(data) {
    return this.#encryptNext(data, undefined);
  }

  /**
   * Like `encryptNext` for a job holding one whole upload part's plaintext: resolves with
   * `{ ciphertext, check }`, `check` being the part check (HMAC-SHA256, under a key derived from
   * the file key, a non-extractable CryptoKey held here, of the SHA-256 of the file up to the
   * part's end; computed by the hashing worker, see hash-worker.js).
   */
  encryptPart(data) {
    return this.#encryptNext(data, this.#checkKey);
  }

  /**
   * Like `encryptPart` for a part still in the user's file: `source` (a Blob, e.g. a File slice)
   * is read inside a worker into one of the pool's recycled buffers, off the page's thread and
   * in parallel with other parts. A read that fails rejects with a `ReadError`.
   */
  encryptPartFrom(source) {
    return this.#encryptNext(this.#buffer(source.size), this.#checkKey, source);
  }

  /**
   * For a resumed upload: the next part's plaintext (`data`, transferred), already encrypted and
   * stored, is hashed into the checksum and passed over (no nonce drawn for it); resolves with
   * its part check, to compare with the one the portal recorded before it was sent.
   */
  checkPart(data) {
    return this.#check(data);
  }

  /** `checkPart` for a part still in the user's file (read in a worker, as `encryptPartFrom`). */
  checkPartFrom(source) {
    return this.#check(this.#buffer(source.size), source);
  }

  async #check(data, source) {
    this.#nonces.skipNext(data.byteLength);
    // Numbered as if encrypted, so a later segment's error names the right one.
    this.#nextSegment += Math.ceil(data.byteLength / this.segmentSize);
    const job = { nonces: new Uint8Array(0), data, source };
    const { check } = await this.#run('read', job, this.#hashed(this.#checkKey));
    return check;
  }

  /**
   * Where the next job's plaintext is hashed: the file's stream, at the next position (with the
   * part-check key when the job is an upload part).
   */
  #hashed(checkKey) {
    return { stream: this.#hash, seq: this.#nextChunk++, checkKey };
  }

  #encryptNext(data, checkKey, source) {
    // Synchronously, before anything else can run: the nonces of exactly these segments.
    const nonces = this.#nonces.coverNext(data.byteLength);
    const firstSegment = this.#nextSegment;
    this.#nextSegment += nonces.length / 12;
    // The ciphertext's buffer: the plaintext's length and a tag per segment.
    const out = this.#buffer(data.byteLength + (nonces.length / 12) * TAG);
    const job = { key: this.#key, aad: this.#header, nonces, data, out, source, segmentSize: this.segmentSize, firstSegment };
    return this.#encrypt(job, checkKey);
  }

  /**
   * After the last segment: resolves with `{ sha256, encryptedSha256 }` (Uint8Arrays) once the
   * hashing worker has hashed every job.
   */
  async finish() {
    const nonces = this.#nonces;
    this.#nonces = null;
    const sha256 = await this.#hash.digest(this.#nextChunk);
    return nonces.finish(sha256);
  }

  /** An upload stopped before its end: the hashing worker forgets the file. */
  abandon() {
    this.#hash.drop();
  }
}

/**
 * The hashing worker (hash-worker.js), shared by a pool's transfers: one SHA-256 stream per file.
 */
class HashWorker {
  constructor(moduleUrl) {
    const url = new URL('./hash-worker.js', import.meta.url);
    url.searchParams.set('module', moduleUrl);
    this.worker = new Worker(url, { type: 'module' });
    this.streams = new Map(); // id -> HashStream
    this.nextId = 1;
    this.worker.onmessage = ({ data }) => this.streams.get(data.stream)?.answer(data);
    this.failed = null;
    this.worker.onerror = (event) => {
      const error = new Error(`the hashing worker failed: ${event.message || 'it could not start'}`);
      this.failed = error;
      for (const stream of this.streams.values()) stream.fail(error);
    };
  }

  open() {
    const stream = new HashStream(this, this.nextId++);
    this.streams.set(stream.id, stream);
    return stream;
  }

  post(message, transfer = []) {
    this.worker.postMessage(message, transfer);
  }

  close() {
    this.worker.terminate();
    for (const stream of this.streams.values()) stream.fail(new Error('the crypto pool is closed'));
  }
}

/**
 * One file's SHA-256 in the hashing worker. Chunks are numbered in file order and may be given
 * in any order; each is hashed in its turn and its buffer handed back.
 */
export class HashStream {
  #owner;
  #returns = new Map(); // seq -> resolve(ArrayBuffer | null)
  #digest = null; // { resolve, reject }
  #failure = null;

  constructor(owner, id) {
    this.#owner = owner;
    this.id = id;
  }

  /**
   * Hashes chunk `seq` of the file: the first `length` bytes of `data` (an ArrayBuffer,
   * transferred). Resolves with `{ buffer, check }` once hashed (`buffer`, to reuse or write;
   * `check`, an ArrayBuffer, the part check when `checkKey` was given), or null if the stream
   * was dropped or failed first.
   */
  update(seq, data, length, checkKey) {
    if (this.#failure) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#returns.set(seq, resolve);
      this.#owner.post({ stream: this.id, seq, data, length, checkKey }, [data]);
    });
  }

  /** The digest (Uint8Array) of chunks 0..count, once all are hashed. */
  digest(count) {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#digest = { resolve, reject };
      this.#owner.post({ stream: this.id, finish: count });
    });
  }

  /** Forgets the file (a transfer that stopped): chunks not yet hashed are not handed back. */
  drop() {
    this.fail(new Error('the transfer stopped'));
    this.#owner.post({ stream: this.id, drop: true });
  }

  answer({ returned, seq, check, digest, error }) {
    if (returned) {
      this.#returns.get(seq)?.({ buffer: returned, check });
      this.#returns.delete(seq);
    } else if (digest) {
      this.#owner.streams.delete(this.id);
      this.#digest?.resolve(digest);
    } else if (error) {
      this.fail(new Error(`the file could not be hashed: ${error}`));
    }
  }

  fail(error) {
    if (this.#failure) return;
    this.#failure = error;
    this.#owner.streams.delete(this.id);
    for (const resolve of this.#returns.values()) resolve(null);
    this.#returns.clear();
    this.#digest?.reject(error);
  }
}
