// Browser harness for wasm-crypto: checks the committed vectors through the real browser path
// (wasm nonces + WebCrypto in the worker pool) and measures its throughput.
import init, * as dds from './pkg/wasm_crypto.js';
import { CryptoPool, SegmentError, readInto } from './crypto-pool.js';

const MiB = 1024 * 1024;
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text) => Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
const plaintext = (len, seed) => Uint8Array.from({ length: len }, (_, i) => (Math.imul(i & 255, 167) + seed) & 255);
const HEADER = 96;

await init();
// The hashing worker loads this harness's wasm bundle (a portal page's pool loads the page's).
const pool = new CryptoPool({ hashModule: new URL('./pkg/wasm_crypto.js', import.meta.url).href });

/**
 * Encrypts `data` in jobs of `jobSegments` segments through the pool, reading each job from a
 * Blob into a recycled pool buffer as an upload reads its File; returns header || body and the
 * checksums.
 */
async function encryptThroughPool(encryptor, data, jobSegments) {
  const source = new Blob([data]);
  const file = await pool.fileEncryptor(encryptor);
  const { segmentSize, segmentCount: count } = file;
  const jobs = [];
  for (let first = 0; first < count; first += jobSegments) {
    const n = Math.min(jobSegments, count - first);
    const part = source.slice(first * segmentSize, Math.min((first + n) * segmentSize, data.length));
    jobs.push(file.encryptNext(await readInto(part, pool.buffer(part.size))));
  }
  const parts = (await Promise.all(jobs)).flat();
  const ciphertext = new Uint8Array(await new Blob([file.header(), ...parts]).arrayBuffer());
  return { ciphertext, finished: await file.finish() };
}

async function decryptThroughPool(projectKey, ciphertext, jobSegments) {
  const decryptor = new dds.FileDecryptor(projectKey, ciphertext.slice(0, HEADER), ciphertext.length);
  const key = await decryptor.contentKey();
  const aad = ciphertext.slice(0, HEADER);
  const segmentSize = decryptor.segmentSize();
  const count = decryptor.segmentCount();
  const jobs = [];
  for (let first = 0; first < count; first += jobSegments) {
    const n = Math.min(jobSegments, count - first);
    const start = decryptor.segmentOffset(first);
    const end = first + n === count ? ciphertext.length : decryptor.segmentOffset(first + n);
    const data = pool.buffer(end - start); // recycled: must be overwritten whole
    new Uint8Array(data).set(ciphertext.subarray(start, end));
    jobs.push(pool.decrypt({ key, aad, nonces: decryptor.nonces(first, n), data, segmentSize, firstSegment: first }));
  }
  const parts = (await Promise.all(jobs)).flat();
  return { plaintext: new Uint8Array(await new Blob(parts).arrayBuffer()), decryptor };
}

async function runVectors(vectors) {
  const failures = [];
  let checks = 0;
  const check = (ok, what) => { checks += 1; if (!ok) failures.push(what); };

  for (const v of vectors.files) {
    for (const jobSegments of [1, 3, 128]) {
      const encryptor = dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix), unhex(v.ephemeral_secret),
        unhex(v.recipient_public_key), v.segment_size, v.plaintext_len);
      const data = plaintext(v.plaintext_len, v.plaintext_seed);
      const { ciphertext, finished } = await encryptThroughPool(encryptor, data, jobSegments);
      check(hex(ciphertext) === v.ciphertext, `${v.name}: ciphertext (jobs of ${jobSegments})`);
      check(hex(finished.sha256) === v.sha256, `${v.name}: sha256`);
      check(hex(finished.encryptedSha256) === v.encrypted_sha256, `${v.name}: encrypted sha256`);

      const projectKey = dds.testVectorKey(unhex(v.recipient_private_key));
      const { plaintext: back, decryptor } = await decryptThroughPool(projectKey, unhex(v.ciphertext), jobSegments);
      check(hex(back) === hex(data), `${v.name}: decrypts (jobs of ${jobSegments})`);
      check(hex(decryptor.decryptChecksum(unhex(v.encrypted_sha256))) === v.sha256, `${v.name}: checksum opens`);
    }
    // The upload's part check (the whole plaintext as one part), computed in the hashing worker
    // with WebCrypto's HMAC, is the native one; a resumed upload's check of that part is the same.
    {
      const data = plaintext(v.plaintext_len, v.plaintext_seed);
      const sent = await pool.fileEncryptor(dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix),
        unhex(v.ephemeral_secret), unhex(v.recipient_public_key), v.segment_size, v.plaintext_len));
      const { ciphertext: segments, check: partCheck } = await sent.encryptPart(data.slice().buffer);
      check(hex(partCheck) === v.part_check, `${v.name}: part check`);
      const body = new Uint8Array(await new Blob([sent.header(), segments]).arrayBuffer());
      check(hex(body) === v.ciphertext, `${v.name}: ciphertext of one part`);
      const resumed = await pool.fileEncryptor(dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix),
        unhex(v.ephemeral_secret), unhex(v.recipient_public_key), v.segment_size, v.plaintext_len));
      check(hex(await resumed.checkPart(data.slice().buffer)) === v.part_check, `${v.name}: part check of a resume`);
      // The same part read by a worker from a Blob (an upload's File slice), sent and resumed.
      const read = await pool.fileEncryptor(dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix),
        unhex(v.ephemeral_secret), unhex(v.recipient_public_key), v.segment_size, v.plaintext_len));
      const fromBlob = await read.encryptPartFrom(new Blob([data]));
      check(hex(fromBlob.check) === v.part_check, `${v.name}: part check of a part read in a worker`);
      const readBody = new Uint8Array(await new Blob([read.header(), fromBlob.ciphertext]).arrayBuffer());
      check(hex(readBody) === v.ciphertext, `${v.name}: ciphertext of a part read in a worker`);
      check(hex((await read.finish()).sha256) === v.sha256, `${v.name}: sha256 of a part read in a worker`);
      const resumedRead = await pool.fileEncryptor(dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix),
        unhex(v.ephemeral_secret), unhex(v.recipient_public_key), v.segment_size, v.plaintext_len));
      check(hex(await resumedRead.checkPartFrom(new Blob([data]))) === v.part_check, `${v.name}: part check of a resume read in a worker`);
      // In two parts, the second's check is the whole file's (a check covers the file up to its
      // part's end), whether sent or resumed, and the first's differs from it.
      if (v.plaintext_len > 2 * v.segment_size) {
        const cut = 2 * v.segment_size;
        const twoParts = await pool.fileEncryptor(dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix),
          unhex(v.ephemeral_secret), unhex(v.recipient_public_key), v.segment_size, v.plaintext_len));
        const first = await twoParts.encryptPart(data.slice(0, cut).buffer);
        const second = await twoParts.encryptPart(data.slice(cut).buffer);
        check(hex(second.check) === v.part_check && hex(first.check) !== v.part_check, `${v.name}: part checks of two parts`);
        const resumedTwo = await pool.fileEncryptor(dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix),
          unhex(v.ephemeral_secret), unhex(v.recipient_public_key), v.segment_size, v.plaintext_len));
        check(hex(await resumedTwo.checkPart(data.slice(0, cut).buffer)) === hex(first.check), `${v.name}: first part check of a resume`);
        check(hex(await resumedTwo.checkPart(data.slice(cut).buffer)) === v.part_check, `${v.name}: second part check of a resume`);
      }
    }
    // Encryption is bound to its plaintext: a job that is not whole segments (or the file's rest)
    // is refused, and so is any job after the last segment; neither draws a nonce.
    if (v.plaintext_len > v.segment_size) {
      const encryptor = dds.testVectorEncryptor(unhex(v.cek), unhex(v.nonce_prefix), unhex(v.ephemeral_secret),
        unhex(v.recipient_public_key), v.segment_size, v.plaintext_len);
      const file = await pool.fileEncryptor(encryptor);
      let refusedPartial = false;
      try { file.encryptNext(new ArrayBuffer(v.segment_size - 1)); } catch { refusedPartial = true; }
      check(refusedPartial, `${v.name}: a partial segment mid-file is refused`);
      const data = plaintext(v.plaintext_len, v.plaintext_seed);
      const segments = await file.encryptNext(data.slice().buffer);
      const body = new Uint8Array(await new Blob([file.header(), segments]).arrayBuffer());
      check(hex(body) === v.ciphertext, `${v.name}: ciphertext after a refused job`);
      let refusedAfterLast = false;
      try { file.encryptNext(new ArrayBuffer(0)); } catch { refusedAfterLast = true; }
      check(refusedAfterLast, `${v.name}: nothing is encrypted after the last segment`);
    }

    // Tampering: a flipped bit in the last segment, and a truncated final segment.
    const projectKey = dds.testVectorKey(unhex(v.recipient_private_key));
    const damaged = unhex(v.ciphertext);
    damaged[damaged.length - 1] ^= 1;
    const refused = await decryptThroughPool(projectKey, damaged, 4).then(() => null, (e) => e);
    check(refused instanceof SegmentError, `${v.name}: flipped bit refused (${refused})`);
    const count = Math.max(1, Math.ceil(v.plaintext_len / v.segment_size));
    if (count > 1) {
      const cut = unhex(v.ciphertext).slice(0, HEADER + (count - 1) * (v.segment_size + 16));
      const truncated = await decryptThroughPool(projectKey, cut, 4).then(() => null, (e) => e);
      check(truncated instanceof SegmentError, `${v.name}: truncation refused (${truncated})`);
    }
  }

  for (const v of vectors.kdf) {
    const keys = dds.LoginKeys.derive(v.password, unhex(v.salt), v.memory_kib, v.iterations, v.parallelism);
    check(hex(keys.authKey()) === v.auth_key, `kdf ${v.user_id}: auth key`);
    const unwrapped = keys.unwrapUserKey(unhex(v.wrapped_private_key), v.user_id);
    check(hex(unwrapped.publicKey()) === hex(dds.testVectorKey(unhex(v.private_key)).publicKey()), `kdf ${v.user_id}: unwrap`);
    let refused = false;
    try { keys.unwrapUserKey(unhex(v.wrapped_private_key), `${v.user_id}x`); } catch { refused = true; }
    check(refused, `kdf ${v.user_id}: another user id does not unwrap`);
  }

  for (const v of vectors.seal.filter((s) => s.plaintext.length === 64)) {
    const opened = dds.testVectorKey(unhex(v.recipient_private_key)).openSealedKey(unhex(v.sealed));
    check(hex(opened.publicKey()) === hex(dds.testVectorKey(unhex(v.plaintext)).publicKey()), 'seal: opens');
  }
  return { checks, failures };
}

/** Throughput of the browser path on `totalMiB` MiB, jobs of `jobMiB` MiB. */
async function bench(totalMiB = 256, jobMiB = 8) {
  const total = totalMiB * MiB;
  const recipient = dds.KeyHandle.generate();
  const file = await pool.fileEncryptor(new dds.FileEncryptor(recipient.publicKey(), total));
  const { segmentSize } = file;
  const jobSegments = (jobMiB * MiB) / segmentSize;
  const source = new Uint8Array(jobSegments * segmentSize);
  for (let i = 0; i < source.length; i += 65536) crypto.getRandomValues(source.subarray(i, i + 65536));

  // Encrypt: the producer waits for queue space before reading the next chunk (flat memory).
  let produced = 0;
  let encrypted = 0;
  const running = [];
  const t0 = performance.now();
  while (produced < total) {
    await pool.space();
    const n = Math.min(jobSegments, (total - produced) / segmentSize);
    // Copying into a recycled buffer stands for reading the next slice of the File (readInto).
    const data = pool.buffer(n * segmentSize);
    new Uint8Array(data).set(source.subarray(0, n * segmentSize));
    running.push(file.encryptNext(data)
      .then((ciphertext) => { encrypted += ciphertext.byteLength; pool.recycle(ciphertext.buffer); }));
    produced += n * segmentSize;
  }
  await Promise.all(running);
  const encryptSeconds = (performance.now() - t0) / 1000;

  // Decrypt: the first job's ciphertext, authenticated and decrypted again and again.
  const sampleFile = await pool.fileEncryptor(new dds.FileEncryptor(recipient.publicKey(), source.length));
  const sampleSegments = await sampleFile.encryptNext(source.slice().buffer);
  const sample = await new Blob([sampleSegments]).arrayBuffer();
  const header = sampleFile.header();
  const whole = { length: HEADER + sample.byteLength };
  const decryptor = new dds.FileDecryptor(recipient, header, whole.length);
  const decryptKey = await decryptor.contentKey();
  const nonces = decryptor.nonces(0, jobSegments);
  let decrypted = 0;
  const jobs = [];
  const t1 = performance.now();
  for (let done = 0; done < total; done += source.length) {
    await pool.space();
    const data = pool.buffer(sample.byteLength);
    new Uint8Array(data).set(new Uint8Array(sample));
    jobs.push(pool.decrypt({ key: decryptKey, aad: header, nonces, data, segmentSize })
      .then((plain) => { decrypted += plain.byteLength; pool.recycle(plain.buffer); }));
  }
  await Promise.all(jobs);
  const decryptSeconds = (performance.now() - t1) / 1000;

  // SHA-256 in wasm in the pool's hashing worker (one thread), chunk after chunk: each round trip
  // hands the buffer back, as a transfer's chunks come back for reuse or writing.
  const hashMiB = 64;
  const hashing = pool.hashStream();
  let chunk = source.slice().buffer;
  let seq = 0;
  const t2 = performance.now();
  for (let i = 0; i < hashMiB * MiB; i += source.length) chunk = (await hashing.update(seq++, chunk, chunk.byteLength)).buffer;
  await hashing.digest(seq);
  const hashSeconds = (performance.now() - t2) / 1000;

  return {
    workers: pool.size,
    free_buffers: pool.free.length, // input buffers handed back for reuse
    max_free_buffers: pool.maxQueued,
    encrypt_mbps: encrypted / 1e6 / encryptSeconds,
    decrypt_mbps: decrypted / 1e6 / decryptSeconds,
    sha256_wasm_mbps: (hashMiB * MiB) / 1e6 / hashSeconds,
    bytes: total,
  };
}

/** Milliseconds for one Argon2id derivation with the given parameters (default: DDS's). */
function argon2(memoryKib = 65536, iterations = 3, parallelism = 1) {
  const t0 = performance.now();
  dds.LoginKeys.derive('correct horse battery staple', new Uint8Array(16).fill(7), memoryKib, iterations, parallelism);
  return performance.now() - t0;
}

/**
 * readInto against a Blob made of many small parts (many stream chunks): the bytes must come out
 * whole and in order, and a buffer of the wrong size must be refused. Repeated, because the read
 * it replaced (a BYOB reader) hung now and then.
 */
async function readBlobs(rounds) {
  const failures = [];
  for (let round = 0; round < rounds; round++) {
    const pieces = Array.from({ length: 64 }, (_, i) => new Uint8Array(65_536 + i).fill((round + i) & 0xff));
    const blob = new Blob(pieces);
    const start = 1000 * round + 7;
    const slice = blob.slice(start, blob.size - 13);
    const expected = new Uint8Array(await slice.arrayBuffer());
    const got = new Uint8Array(await readInto(slice, new ArrayBuffer(slice.size)));
    if (got.length !== expected.length || got.some((b, i) => b !== expected[i])) failures.push(`round ${round}: bytes differ`);
  }
  try {
    await readInto(new Blob([new Uint8Array(10)]), new ArrayBuffer(11));
    failures.push('a buffer of the wrong size was accepted');
  } catch (error) {
    if (!(error instanceof RangeError)) failures.push(`wrong-size buffer: ${error}`);
  }
  return failures;
}

/**
 * An OPFS file of `size` bytes picked as a File and then written again: reading the File fails
 * (as a picked file that changed on disk). `remove()` deletes it.
 */
async function staleFile(name, size) {
  const root = await navigator.storage.getDirectory();
  const handle = await root.getFileHandle(name, { create: true });
  const write = async (fill) => {
    const writable = await handle.createWritable();
    await writable.write(new Uint8Array(size).fill(fill));
    await writable.close();
  };
  await write(1);
  const file = await handle.getFile();
  await new Promise((resolve) => setTimeout(resolve, 20)); // a later modification time
  await write(2);
  return { file, remove: () => root.removeEntry(name) };
}

/**
 * An upload part whose File slice can no longer be read (the file changed after it was picked),
 * with the next part readable: the first fails with a ReadError and the next must not wait
 * forever for its part check (its file can no longer be hashed); the pool gets its places back.
 * Resolves with what happened to each, `pending` once both settled, and the unreadable read's
 * message.
 */
async function unreadablePart() {
  const segment = 1024;
  const { file: picked, remove } = await staleFile('harness-changing.bin', 2 * segment);
  const projectKey = dds.testVectorKey(new Uint8Array(32).fill(0x70));
  const encryptor = dds.testVectorEncryptor(new Uint8Array(32).fill(1), new Uint8Array(7).fill(1),
    new Uint8Array(32).fill(2), projectKey.publicKey(), segment, 2 * segment);
  const file = await pool.fileEncryptor(encryptor);
  const settle = (promise) => Promise.race([
    promise.then(() => 'resolved', (error) => `rejected: ${error.name}: ${error.message}`),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000)),
  ]);
  const first = settle(file.encryptPartFrom(picked.slice(0, segment)));
  const second = settle(file.encryptPartFrom(new Blob([new Uint8Array(segment).fill(3)])));
  const outcome = { first: await first, second: await second };
  file.abandon();
  await remove();
  return { ...outcome, pending: pool.pending };
}

/**
 * `pool.hashBlob` against WebCrypto's one-shot digest, for sizes around its chunk size (an empty
 * Blob included); then a Blob that cannot be read. Resolves with the failures (empty: none).
 */
async function hashBlobs() {
  const failures = [];
  const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
  const chunk = 1024 * 1024;
  for (const size of [0, 1, chunk - 1, chunk, chunk + 1, 5 * chunk + 3]) {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 997) bytes[i] = (i * 31) & 0xff;
    let seen = 0;
    const got = hex(await pool.hashBlob(new Blob([bytes]), { chunkBytes: chunk, onProgress: (n) => (seen = n) }));
    const want = hex(await crypto.subtle.digest('SHA-256', bytes));
    if (got !== want) failures.push(`${size} bytes: ${got}, expected ${want}`);
    if (seen !== size) failures.push(`${size} bytes: progress said ${seen}`);
  }
  const { file: stale, remove } = await staleFile('harness-hashed.bin', 3 * chunk);
  const outcome = await pool.hashBlob(stale, { chunkBytes: chunk }).then(() => 'resolved', (error) => error.name);
  if (outcome !== 'ReadError') failures.push(`a changed file: ${outcome}, expected a ReadError`);
  await remove();
  if (pool.pending !== 0) failures.push(`${pool.pending} places in the pool not given back`);
  return failures;
}

window.ddsHarness = { runVectors, bench, argon2, readBlobs, unreadablePart, hashBlobs };
document.documentElement.dataset.ready = 'true';
