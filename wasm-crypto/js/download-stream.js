// Saving a decrypted file into the browser's downloads where the File System Access API is
// missing (Firefox, Safari): the page's half of download-sw.js. `downloadWriter(name, size)`
// gives the same `{ write, close, abort }` as `fileWriter` in transfer.js, so a download runs the
// same fetch, decrypt and verify path whichever way it is saved.
//
// The bytes go over a MessagePort to the service worker, which answers a hidden frame's
// navigation with them as an attachment. `write` waits until the worker asks for more, so the
// browser's download pace holds the transfer back: memory stays flat.

import { withDeadline } from './crypto-pool.js';

const SCOPE = new URL('./', import.meta.url);
// Navigations a service worker answers keep it running; a long download also pings it.
const KEEP_ALIVE_MS = 10_000;
// How long the browser may take to start the download before the page gives up on it.
const START_MS = 30_000;

let registration = null;

/** The active download worker, registered on first use (null: this browser has none). */
async function downloadWorker() {
  if (!('serviceWorker' in navigator)) return null;
  registration ??= navigator.serviceWorker
    .register(new URL('./download-sw.js', import.meta.url), { scope: SCOPE.pathname })
    .catch((error) => {
      registration = null;
      throw error;
    });
  const made = await registration;
  return made.active ?? activated(made.installing ?? made.waiting);
}

function activated(worker) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (worker.state === 'activated') resolve(worker);
      else if (worker.state === 'redundant') reject(new Error('the download worker could not start'));
    };
    worker.addEventListener('statechange', check);
    check();
  });
}

/** Whether this browser can stream a download through the service worker. */
export function canStreamDownloads() {
  return 'serviceWorker' in navigator && window.isSecureContext;
}

/**
 * Starts a download of `size` bytes named `name` in the browser's downloads and resolves, once
 * the browser took it, with `{ write(Uint8Array), close(), abort(reason) }`. `write` detaches
 * the chunk's buffer when the chunk spans all of it (no copy); it rejects once the user
 * cancelled the download in the browser.
 */
export async function downloadWriter(name, size) {
  const worker = await downloadWorker().catch((error) => {
    throw new Error(`this browser refused the download helper (${error.message}); in a private window, try a normal one`);
  });
  if (!worker) throw new Error('this browser can neither save into a folder nor stream a download: use an up-to-date browser');
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  const port = channel.port1;
  let credits = 0;
  let cancelled = false;
  let wake = null;
  let started;
  const startedNow = new Promise((resolve) => {
    started = resolve;
  });
  let announced;
  const announcedNow = new Promise((resolve) => {
    announced = resolve;
  });
  port.onmessage = ({ data }) => {
    if (data?.announced) announced();
    if (data?.started) started();
    if (data?.more) credits += 1;
    if (data?.cancelled) cancelled = true;
    wake?.();
    wake = null;
  };
  worker.postMessage({ id, name, size }, [channel.port2]);
  // The worker must know the id before the navigation reaches it (the two travel apart).
  await withDeadline(announcedNow, START_MS, () => `the download helper did not answer for ${name}`).catch((error) => {
    port.close();
    throw error;
  });

  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = `download of ${name}`;
  frame.src = new URL(`stream/${id}`, SCOPE).href;
  document.body.append(frame);
  const ping = setInterval(() => worker.postMessage({ ping: true }), KEEP_ALIVE_MS);
  // The frame stays a while after the end: removing it at once could cut the download short.
  const finish = () => {
    clearInterval(ping);
    setTimeout(() => frame.remove(), 30_000);
  };
  try {
    await withDeadline(startedNow, START_MS, () => `the browser did not start the download of ${name}`);
  } catch (error) {
    finish();
    port.close();
    throw error;
  }
  return {
    async write(bytes) {
      while (credits === 0 && !cancelled) await new Promise((resolve) => (wake = resolve));
      if (cancelled) throw new Error(`the download of ${name} was cancelled in the browser`);
      credits -= 1;
      const chunk = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      port.postMessage({ chunk: chunk.buffer }, [chunk.buffer]);
    },
    async close() {
      port.postMessage({ done: true });
      port.close();
      finish();
    },
    async abort(reason) {
      port.postMessage({ abort: String(reason ?? 'the download stopped') });
      port.close();
      finish();
    },
  };
}
