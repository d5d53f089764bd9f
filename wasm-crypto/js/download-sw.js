// DDS download stream, a service worker: where the File System Access API is missing (Firefox,
// Safari), a decrypted file reaches the browser's downloads as the response to a navigation
// this worker answers. The page (download-stream.js) sends the plaintext over a MessagePort,
// chunk by chunk, only as fast as the download takes it: nothing is held whole, here or there.
//
// Its scope is the folder it is served from (/pkg/crypto/): it answers only the page's
// `stream/<id>` navigations and lets every other request through untouched. It holds no key and
// sees only plaintext the page decrypted and chose to save.

const STREAM = new URL('./stream/', self.location).pathname;
// About this many bytes wait in the stream before the page is asked for more.
const QUEUED_BYTES = 8 * 1024 * 1024;

/** id -> { name, size, port }: downloads announced by a page, not yet asked for. */
const announced = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const { id, name, size } = event.data ?? {};
  const port = event.ports[0];
  // Anything else (the page's keep-alive pings) only keeps this worker running.
  if (typeof id === 'string' && typeof name === 'string' && Number.isSafeInteger(size) && port) {
    announced.set(id, { name, size, port });
    // The page navigates only after this: a message and a fetch may arrive in either order.
    port.postMessage({ announced: true });
  }
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(STREAM)) return;
  const id = url.pathname.slice(STREAM.length);
  const download = announced.get(id);
  announced.delete(id);
  if (!download) {
    event.respondWith(
      new Response('This download is no longer available: start it again from the project page.', {
        status: 404,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      }),
    );
    return;
  }
  event.respondWith(
    new Response(streamFrom(download.port), {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': disposition(download.name),
        'Content-Length': String(download.size),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      },
    }),
  );
});

/**
 * The bytes the page sends on `port`: `{ chunk }` (an ArrayBuffer), then `{ done }` or
 * `{ abort }` (a sentence). The stream asks for each chunk (`{ more }`) when it has room, says
 * `{ started }` once the browser took the response, and `{ cancelled }` when the user stopped
 * the download in the browser.
 */
function streamFrom(port) {
  let arrived = null;
  return new ReadableStream(
    {
      start(controller) {
        port.onmessage = ({ data }) => {
          if (data?.chunk) controller.enqueue(new Uint8Array(data.chunk));
          else if (data?.done) {
            controller.close();
            port.close();
          } else if (data?.abort) {
            controller.error(new Error(String(data.abort)));
            port.close();
          }
          arrived?.();
          arrived = null;
        };
        port.postMessage({ started: true });
      },
      pull() {
        return new Promise((resolve) => {
          arrived = resolve;
          port.postMessage({ more: true });
        });
      },
      cancel() {
        port.postMessage({ cancelled: true });
        port.close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: QUEUED_BYTES }),
  );
}

/** `attachment` with the name as typed (RFC 6266 `filename*`) and an ASCII stand-in. */
function disposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
