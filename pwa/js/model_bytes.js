// Thin shim for model bytes, which never enter Python: HTTP Range downloads into OPFS chunk files
// (opfs_chunks.js), SHA-256 (the vendored hash-wasm) computed as the bytes arrive, its state saved
// beside the chunks at each chunk boundary (so a resume never re-reads what is stored and the
// final digest is instant), and the API Python calls. A drop loses at
// most one chunk. Plain values in and out; retry, quota and verification policy live in
// py/tabula/models/downloader.py.

import * as files from "./opfs_chunks.js";

const aborts = new Map(); // id -> AbortController of its running transfer

function totalOf(response, start) {
  const range = response.headers.get("Content-Range");
  const match = range && /\/(\d+)$/.exec(range);
  if (match) return Number(match[1]);
  const length = response.headers.get("Content-Length");
  return length === null ? null : start + Number(length);
}

// Appends `url`'s bytes from `start` to model `id`, one chunk file at a time; onProgress(bytes)
// reports bytes received. Resolves {kind, status, written, total, message}; kind is done |
// http | network | aborted | quota | type. `written` is what is stored whole (where to resume). No
// byte for `stallMs` (a dead connection) aborts the fetch as a network failure, so Python retries.
// `ask` = {refuse, validator, whole, hash (hash-wasm's URL)}. Each of these is cancelled before a byte is stored: a
// Content-Type starting with one of `refuse` (kind "type", message the type); a response whose
// validator (ETag, else Last-Modified) is not `validator` (kind "changed"); a 206 whose
// Content-Range starts elsewhere than `start` (kind "range"); a 200 to a resume unless `whole`
// (kind "whole": the server ignored Range). With `whole`, a 200's first `start` bytes are skipped.
// Every result carries the response's validator.
async function fetchInto(id, url, start, chunkSize, onProgress, stallMs, ask) {
  const control = new AbortController();
  aborts.set(id, control);
  const state = { id, written: start, status: 0, total: -1, validator: "", last: performance.now(), stalled: false };
  const watchdog = setInterval(() => {
    if (performance.now() - state.last > stallMs) {
      state.stalled = true;
      control.abort();
    }
  }, 1000);
  try {
    const headers = start > 0 ? { Range: `bytes=${start}-` } : {};
    const response = await fetch(url, { headers, signal: control.signal, cache: "no-store" });
    state.status = response.status;
    if (response.status !== 200 && response.status !== 206) {
      return { kind: "http", ...result(state), message: response.statusText };
    }
    state.validator = response.headers.get("ETag") ?? response.headers.get("Last-Modified") ?? "";
    const refused = refusal(response, start, state.validator, ask);
    if (refused) {
      await response.body?.cancel();
      return { kind: refused, ...result(state), message: response.headers.get("Content-Type") ?? "" };
    }
    state.total = totalOf(response, response.status === 200 ? 0 : start) ?? -1;
    const reader = response.body.getReader();
    if (response.status === 200) await skip(reader, start, state);
    const dir = await files.folder(id, true);
    state.hash = (await hasherAt(dir, start, ask.hash)).hash;
    await pump(reader, chunkSize, state, onProgress);
    return { kind: "done", ...result(state), message: "" };
  } catch (error) {
    const kind = state.stalled ? "network" : failure(error, control);
    return { kind, ...result(state), message: String(error?.message ?? error) };
  } finally {
    clearInterval(watchdog);
    aborts.delete(id);
  }
}

const result = ({ written, status, total, validator }) => ({ written, status, total, validator });

function refusal(response, start, validator, { refuse, validator: expected, whole }) {
  const type = (response.headers.get("Content-Type") ?? "").toLowerCase();
  if (refuse.some((prefix) => type.startsWith(prefix))) return "type";
  if (expected && validator && validator !== expected) return "changed";
  const range = /^bytes (\d+)-/.exec(response.headers.get("Content-Range") ?? "");
  if (response.status === 206 && Number(range?.[1] ?? -1) !== start) return "range";
  if (response.status === 200 && start > 0 && !whole) return "whole";
  return "";
}

// Reads and drops a body's first `count` bytes; `pending` keeps what followed them in that read.
async function skip(reader, count, state) {
  let left = count;
  while (left > 0) {
    const { value, done } = await reader.read();
    state.last = performance.now();
    if (done) throw new Error("the body ended before the bytes already stored");
    if (value.length > left) state.pending = value.subarray(left);
    left -= Math.min(left, value.length);
  }
}

function failure(error, control) {
  if (control.signal.aborted) return "aborted";
  if (error?.name === "QuotaExceededError") return "quota";
  return "network";
}

async function remove(id) {
  abort(id);
  await files.remove(id);
}

// Writes the body into chunk files; state.written advances only when a chunk file is closed.
async function pump(reader, chunkSize, state, onProgress) {
  let writable = null;
  let filled = 0;
  let lastReport = 0;
  try {
    for (;;) {
      const { value, done } = state.pending ? { value: state.pending, done: false } : await reader.read();
      state.pending = null;
      state.last = performance.now();
      if (done) break;
      for (let at = 0; at < value.length; ) {
        writable ??= await files.writer(state.id, files.chunkName(state.written / chunkSize));
        const piece = value.subarray(at, at + chunkSize - filled);
        await writable.write(piece);
        state.hash.update(piece);
        filled += piece.length;
        at += piece.length;
        if (filled === chunkSize) {
          await writable.close();
          [writable, filled, state.written] = [null, 0, state.written + chunkSize];
          await saveHash(state.id, state.written, state.hash);
        }
      }
      if (performance.now() - lastReport > 200) {
        lastReport = performance.now();
        onProgress(state.written + filled);
      }
    }
    if (writable) await writable.close();
    [writable, state.written] = [null, state.written + filled];
    if (filled) await saveHash(state.id, state.written, state.hash);
    onProgress(state.written);
  } finally {
    if (writable) await writable.abort().catch(() => {});
  }
}

// Stops model `id`'s running transfer (it resolves with kind "aborted"); for a set, its files'.
function abort(id) {
  for (const [key, control] of aborts) if (key === id || key.startsWith(`${id}/`)) control.abort();
}

async function sha256(url) {
  if (!globalThis.hashwasm) await import(url); // UMD build: defines globalThis.hashwasm
  return globalThis.hashwasm.createSHA256();
}

const HASH_STATE = "sha256.state"; // 8 bytes: the offset it covers (float64), then hash-wasm's state

async function saveHash(id, offset, hash) {
  const state = hash.save();
  const bytes = new Uint8Array(8 + state.length);
  new DataView(bytes.buffer).setFloat64(0, offset);
  bytes.set(state, 8);
  await files.writeWhole(id, HASH_STATE, bytes);
}

// A hasher over the stored bytes [0, upto): the saved state where it covers no more than that,
// then only the stored chunks after it (at most the one a crash left unsaved). {hash, at}.
async function hasherAt(dir, upto, hashUrl, onProgress = () => {}) {
  const hash = await sha256(hashUrl);
  let at = 0;
  const saved = await dir.getFileHandle(HASH_STATE).then((h) => h.getFile()).then((f) => f.arrayBuffer(), () => null);
  const offset = saved && saved.byteLength > 8 ? new DataView(saved).getFloat64(0) : -1;
  if (offset >= 0 && offset <= upto) {
    hash.load(new Uint8Array(saved, 8));
    at = offset;
  }
  let start = 0;
  for (const chunk of await files.chunks(dir)) {
    if (start >= at && start < upto) {
      const reader = (await chunk.handle.getFile()).stream().getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) hash.update(part.value);
      at = start + chunk.size;
      onProgress(at);
    }
    start += chunk.size;
  }
  return { hash, at };
}

// {sha256 (hex), bytes} of model `id`'s stored chunks: instant from the state a download saved,
// else read as streams; onProgress(bytes).
async function digest(id, hashUrl, onProgress) {
  const { hash, at } = await hasherAt(await files.folder(id), Infinity, hashUrl, onProgress);
  onProgress(at);
  return { sha256: hash.digest("hex"), bytes: at };
}

// The first `size` bytes of model `id`'s first chunk (fewer when less is stored).
async function head(id, size) {
  const first = (await files.chunks(await files.folder(id)))[0];
  return first ? new Uint8Array(await (await first.handle.getFile()).slice(0, size).arrayBuffer()) : new Uint8Array(0);
}

// Rejections cross into Python as plain Errors: Pyodide 314 cannot wrap Chromium's
// QuotaExceededError class (the awaiting coroutine would never resume).
const plain = (fn) => async (...args) => {
  try {
    return await fn(...args);
  } catch (error) {
    throw new Error(`${error?.name ?? "Error"}: ${error?.message ?? error}`);
  }
};

// The module's API: every async function with plain rejections, plus abort().
const { list, prepare, commit, open, importFile, sliceOf, estimate, persist, reserve, capability } = files;
const api = { list, prepare, fetchInto, head, digest, commit, remove, open, importFile, sliceOf, estimate, persist, reserve, capability, files: files.files };
export const store = {
  ...Object.fromEntries(Object.entries(api).map(([name, fn]) => [name, plain(fn)])),
  abort,
};
