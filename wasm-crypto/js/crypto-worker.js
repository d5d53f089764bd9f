// DDS crypto worker: AES-256-GCM over whole segments of the v1 format with WebCrypto.
//
// It receives a non-extractable CryptoKey (never key bytes), the header as AAD, and the
// segments' nonces computed by wasm-crypto; framing and nonces never originate here.
// Message in:  { id, op: 'encrypt'|'decrypt'|'check', key, aad, nonces (Uint8Array, 12 bytes each),
//                data (ArrayBuffer, transferred), source?, segmentSize, firstSegment, checkKey? }
// Message out: { id, data: [ArrayBuffer per segment] (transferred), input, check? }
//              or { id, error, segment, unread?, input }
// With `source` (a Blob: an upload's File slice) the plaintext is first read from it into `data`
// (exactly its size): the page's thread never reads the file, and the workers read in parallel.
// A read that fails answers `unread: true`.
// With `checkKey` (an encryption job holding one upload part), `check` is the HMAC-SHA256 of the
// job's plaintext under it: the part check the server records before the part is sent.
//
// Segments are returned as separate buffers (no concatenation copy): a Blob of them is the part
// body. A few calls in flight keep WebCrypto busy without flooding its queue (measured here).
// `input` is the job's `data`, handed back (transferred) for the pool to reuse: WebCrypto copies
// its input at each call, so once every call has been made the buffer is free.

import { readInto } from './read.js';

const TAG = 16;
const LANES = 3;

async function run({ op, key, aad, nonces, data, source, segmentSize, firstSegment, checkKey }) {
  if (source) {
    await readInto(source, data).catch((error) => {
      throw Object.assign(new Error(String(error.message || error)), { unread: true });
    });
  }
  const input = new Uint8Array(data);
  const check = checkKey ? crypto.subtle.sign('HMAC', checkKey, input) : undefined;
  // A resumed upload's part already stored: only its check is computed.
  if (op === 'check') return { output: [], check: await check };
  const count = nonces.length / 12;
  const step = op === 'encrypt' ? segmentSize : segmentSize + TAG;
  const expected = Math.max(1, Math.ceil(input.length / step));
  if (!Number.isInteger(count) || count !== expected) {
    throw Object.assign(new Error(`job of ${input.length} bytes does not hold ${count} segments`), { segment: firstSegment });
  }
  const output = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const start = i * step;
      const params = { name: 'AES-GCM', iv: nonces.subarray(i * 12, i * 12 + 12), additionalData: aad, tagLength: 128 };
      try {
        output[i] = await crypto.subtle[op](params, key, input.subarray(start, Math.min(start + step, input.length)));
      } catch {
        next = count; // stop the other lanes
        throw Object.assign(new Error('segment failed authentication'), { segment: firstSegment + i });
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(LANES, count) }, lane));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return { output, check: check && (await check) };
}

self.onmessage = async (event) => {
  const { id, data: input } = event.data;
  try {
    const { output: data, check } = await run(event.data);
    self.postMessage({ id, data, input, check }, [...data, input]);
  } catch (error) {
    self.postMessage({ id, error: String(error.message || error), segment: error.segment, unread: error.unread, input }, [input]);
  }
};
