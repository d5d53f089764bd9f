// Reading local files into recycled buffers, with a stall deadline: used by the page and, for
// uploads, inside the crypto workers (which read their own File slices, in parallel, off the
// page's thread).

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
