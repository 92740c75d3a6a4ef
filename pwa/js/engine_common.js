// What both engine hosts share (pwa/js/engine_mediapipe.js and pwa/js/engine_wllama.js, each in
// its worker): the token batcher and the stored model's bytes. Plain values; no logic of the
// app's (py/tabula/browser/engine_host.py owns the protocol, py/tabula/engine/ everything above).

import { chunks, folder, open } from "./opfs_chunks.js";

// At most one "tokens" message per `every` ms: the first delta goes at once (the first token is
// never held back), later ones are joined until the interval has passed.
export function batcher(post, id, every = 16) {
  let text = "";
  let count = 0;
  let timer = null;
  let sent = -Infinity;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (!text) return;
    post({ type: "tokens", id, text, count });
    [text, count, sent] = ["", 0, performance.now()];
  };
  return {
    add(part) {
      if (!part) return;
      text += part;
      count += 1;
      if (timer !== null) return;
      const wait = every - (performance.now() - sent);
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    end: flush,
  };
}

// The stored model `id` as one stream over its OPFS chunk files, counting what was read for the
// "progress" messages (at most one each 250 ms).
export async function storedStream(id, post) {
  const stream = await open(id);
  let bytes = 0;
  let told = 0;
  return stream.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (performance.now() - told > 250) {
          told = performance.now();
          post({ type: "progress", bytes });
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

// The stored model `id`'s chunk Files, in order (for wllama: one Blob over them copies nothing).
export async function storedFiles(id) {
  const dir = await folder(id);
  await dir.getFileHandle("ready.json"); // a partial or unverified model is never loaded
  return Promise.all((await chunks(dir)).map((chunk) => chunk.handle.getFile()));
}

// The site's own copy of an embedded model (same origin only: never a download).
export async function fetched(url) {
  if (new URL(url).origin !== self.location.origin) throw new Error(`not loading ${url}: not stored on this device`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Failed to fetch model: HTTP ${response.status} for ${url}`);
  return response;
}

// An error as one line of text for the "error" message.
export const describe = (error) => String(error?.message ?? error);
