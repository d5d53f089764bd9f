// DDS hashing worker: the SHA-256 of each file a transfer moves, off the page's thread.
//
// SHA-256 cannot be split across threads (each block depends on the one before), and in wasm it
// runs at about the speed of the whole transfer: on the page's thread it held every other step
// up (reads, fetches, writes). Here it runs beside them, one stream per file, in file order.
//
// The worker loads the wasm module named in its URL (`?module=`: the portal's `sha256.js`, which
// holds only wasm-crypto's `Sha256Hasher`; any module exporting it will do); the portal serves
// this script with a policy that allows exactly that (script-src 'self' 'wasm-unsafe-eval',
// connect-src 'self').
//
// Message in:  { stream, seq, data (ArrayBuffer, transferred), length, checkKey? }  chunk number
//                seq: the first `length` bytes of `data`; with `checkKey` (an upload part), its
//                part check is answered too
//              { stream, finish: count }                          after `count` chunks: the digest
//              { stream, drop: true }                             forget the stream
// Message out: { stream, seq, returned: data, check? } (transferred) once a chunk is hashed: reuse it
//              { stream, digest (Uint8Array) } or { stream, error }
// Chunks may arrive in any order (jobs finish out of order); each is hashed when its turn comes.
//
// An upload part's check is HMAC-SHA256, under the file's part-check key (a non-extractable
// CryptoKey derived from the file key), of the SHA-256 of the file up to the part's end: the
// running hash is there anyway, so the check costs 32 bytes of HMAC instead of a second pass
// over the part (which cost about a fifth of the page's CPU while uploading). The server records
// it and learns nothing; a resumed upload recomputes it to prove the parts already sent unchanged.

const loaded = (async () => {
  const dds = await import(new URL(self.location.href).searchParams.get('module'));
  await dds.default();
  return dds;
})();

// id -> { hasher, next, held: Map(seq -> { data, length, checkKey }), finishAt, signed (the
// part checks under way, in order: the digest is answered after them) }
const streams = new Map();

function stream(dds, id) {
  let s = streams.get(id);
  if (!s) {
    s = { hasher: new dds.Sha256Hasher(), next: 0, held: new Map(), finishAt: null, signed: Promise.resolve() };
    streams.set(id, s);
  }
  return s;
}

function advance(id, s) {
  while (s.held.has(s.next)) {
    const { data, length, checkKey } = s.held.get(s.next);
    const seq = s.next;
    s.held.delete(seq);
    s.hasher.update(new Uint8Array(data, 0, length));
    s.next += 1;
    if (!checkKey) {
      self.postMessage({ stream: id, seq, returned: data }, [data]);
      continue;
    }
    // The digest of the file so far, taken now (before the next chunk goes in).
    const prefix = s.hasher.prefixDigest();
    s.signed = s.signed.then(() => crypto.subtle.sign('HMAC', checkKey, prefix)).then(
      (check) => self.postMessage({ stream: id, seq, returned: data, check }, [data, check]),
      (error) => self.postMessage({ stream: id, error: `the part check failed: ${error.message || error}` }),
    );
  }
  if (s.finishAt !== null && s.next === s.finishAt) {
    streams.delete(id);
    const digest = s.hasher.finish();
    // After every part check: the page forgets the stream once it has the digest.
    s.signed.then(() => self.postMessage({ stream: id, digest }));
  }
}

self.onmessage = async ({ data: message }) => {
  const { stream: id } = message;
  try {
    const dds = await loaded;
    if (message.drop) {
      streams.get(id)?.hasher.free();
      streams.delete(id);
      return;
    }
    const s = stream(dds, id);
    if (message.finish !== undefined) s.finishAt = message.finish;
    else s.held.set(message.seq, { data: message.data, length: message.length, checkKey: message.checkKey });
    advance(id, s);
  } catch (error) {
    streams.delete(id);
    self.postMessage({ stream: id, error: String(error.message || error) });
  }
};
