// DDS crypto worker: AES-256-GCM over whole segments of the v1 format with WebCrypto.
//
// It receives a non-extractable CryptoKey (never key bytes), the header as AAD, and the
// segments' nonces computed by wasm-crypto; framing and nonces never originate here.
// Message in:  { id, op: 'encrypt'|'decrypt'|'read', key, aad, nonces (Uint8Array, 12 bytes each),
//                data (ArrayBuffer, transferred), out? (ArrayBuffer, transferred), source?,
//                segmentSize, firstSegment }
// Message out: { id, data (ArrayBuffer, transferred), length, input }
//              or { id, error, segment, unread?, input }
// encrypt: the segments are written one after another into `out` (exactly the ciphertext's
//   length), which comes back as `data`; `input` (the plaintext) comes back for reuse.
// decrypt: each segment's plaintext is written over the job's own `data`, from its first byte
//   (segment i at i * segmentSize: never past the ciphertext of a segment not yet taken, since
//   WebCrypto copies its input at each call), which comes back as `data` with the plaintext's
//   `length`. One buffer per job, recycled by the pool: no new memory per segment or per job.
// read: nothing is computed (a resumed upload's part already stored: its plaintext only goes on
//   to the hashing worker, which computes its part check).
// With `source` (a Blob: an upload's File slice) the plaintext is first read from it into `data`
// (exactly its size): the page's thread never reads the file, and the workers read in parallel.
// A read that fails answers `unread: true`.
// A few calls in flight keep WebCrypto busy without flooding its queue (measured here).

import { readInto } from './read.js';

const TAG = 16;
const LANES = 3;

async function run({ op, key, aad, nonces, data, out, source, segmentSize, firstSegment }) {
  if (source) {
    await readInto(source, data).catch((error) => {
      throw Object.assign(new Error(String(error.message || error)), { unread: true });
    });
  }
  const input = new Uint8Array(data);
  if (op === 'read') return { output: null, length: 0 };
  const count = nonces.length / 12;
  const step = op === 'encrypt' ? segmentSize : segmentSize + TAG;
  const expected = Math.max(1, Math.ceil(input.length / step));
  if (!Number.isInteger(count) || count !== expected) {
    throw Object.assign(new Error(`job of ${input.length} bytes does not hold ${count} segments`), { segment: firstSegment });
  }
  // Where each segment's result goes: the ciphertext into `out`, the plaintext over `data`.
  const output = op === 'encrypt' ? new Uint8Array(out) : input;
  const outStep = op === 'encrypt' ? segmentSize + TAG : segmentSize;
  if (op === 'encrypt' && output.length !== input.length + count * TAG) {
    throw Object.assign(new Error(`the output of ${output.length} bytes does not fit ${count} segments`), { segment: firstSegment });
  }
  let length = 0;
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const start = i * step;
      const params = { name: 'AES-GCM', iv: nonces.subarray(i * 12, i * 12 + 12), additionalData: aad, tagLength: 128 };
      try {
        const result = new Uint8Array(await crypto.subtle[op](params, key, input.subarray(start, Math.min(start + step, input.length))));
        output.set(result, i * outStep);
        length += result.length;
      } catch {
        next = count; // stop the other lanes
        throw Object.assign(new Error('segment failed authentication'), { segment: firstSegment + i });
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(LANES, count) }, lane));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return { output: output.buffer, length };
}

self.onmessage = async (event) => {
  const { id, data: input } = event.data;
  try {
    const { output, length } = await run(event.data);
    // Decrypted in place: `input` is the output and goes back once.
    const transfer = output && output !== input ? [output, input] : [input];
    self.postMessage({ id, data: output, length, input: output === input ? null : input }, transfer);
  } catch (error) {
    self.postMessage({ id, error: String(error.message || error), segment: error.segment, unread: error.unread, input }, [input]);
  }
};
