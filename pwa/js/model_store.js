// Thin shim for model bytes, which never enter Python: the origin-private file system (OPFS),
// HTTP Range downloads and SHA-256. A model is a folder models/<id>/ of fixed-size chunk files
// (c000000, c000001, ...) plus ready.json once verified. A chunk file is written whole or not at
// all (createWritable commits on close), so a drop loses at most one chunk. Plain values in and
// out; retry, quota and verification policy live in py/tabula/downloader.py.

const aborts = new Map(); // id -> AbortController of its running transfer

const chunkName = (index) => `c${String(index).padStart(6, "0")}`;

async function modelsDir() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle("models", { create: true });
}

async function folder(id, create = false) {
  return (await modelsDir()).getDirectoryHandle(id, { create });
}

// The chunk files of a model folder, in order: [{name, handle, size}].
async function chunks(dir) {
  const found = [];
  for await (const [name, handle] of dir.entries()) {
    if (handle.kind === "file" && /^c\d{6}$/.test(name)) found.push({ name, handle, size: (await handle.getFile()).size });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

// Every model folder: [{id, bytes, ready}] where ready is ready.json's text or "" (partial).
// Unknown numbers cross as -1 and missing text as "", never null.
async function list() {
  const out = [];
  for await (const [id, dir] of (await modelsDir()).entries()) {
    if (dir.kind !== "directory") continue;
    const bytes = (await chunks(dir)).reduce((sum, c) => sum + c.size, 0);
    const ready = await dir.getFileHandle("ready.json").then((h) => h.getFile()).then((f) => f.text(), () => "");
    out.push({ id, bytes, ready });
  }
  return out;
}

// Where a transfer must resume: the bytes in whole chunks (a short last chunk counts only when
// it completes the file). Irregular leftovers are deleted.
async function prepare(id, chunkSize, total) { // total: -1 when unknown
  const dir = await folder(id, true);
  let offset = 0;
  for (const [index, chunk] of (await chunks(dir)).entries()) {
    const fits = chunk.name === chunkName(index) && (chunk.size === chunkSize || offset + chunk.size === total);
    if (fits && offset === index * chunkSize) offset += chunk.size;
    else await dir.removeEntry(chunk.name);
  }
  return offset;
}

function totalOf(response, start) {
  const range = response.headers.get("Content-Range");
  const match = range && /\/(\d+)$/.exec(range);
  if (match) return Number(match[1]);
  const length = response.headers.get("Content-Length");
  return length === null ? null : start + Number(length);
}

// Appends `url`'s bytes from `start` to model `id`, one chunk file at a time; onProgress(bytes)
// reports bytes received. Resolves {kind, status, written, total, message}; kind is done |
// http | network | aborted | quota. `written` is what is stored whole (where to resume).
async function fetchInto(id, url, start, chunkSize, onProgress) {
  const control = new AbortController();
  aborts.set(id, control);
  const state = { written: start, status: 0, total: -1 };
  try {
    const headers = start > 0 ? { Range: `bytes=${start}-` } : {};
    const response = await fetch(url, { headers, signal: control.signal, cache: "no-store" });
    state.status = response.status;
    if (response.status !== 200 && response.status !== 206) {
      return { kind: "http", ...state, message: response.statusText };
    }
    if (response.status === 200 && start > 0) state.written = await restart(id);
    state.total = totalOf(response, state.written) ?? -1;
    await pump(await folder(id, true), response.body.getReader(), chunkSize, state, onProgress);
    return { kind: "done", ...state, message: "" };
  } catch (error) {
    return { kind: failure(error, control), ...state, message: String(error?.message ?? error) };
  } finally {
    aborts.delete(id);
  }
}

function failure(error, control) {
  if (control.signal.aborted) return "aborted";
  if (error?.name === "QuotaExceededError") return "quota";
  return "network";
}

async function restart(id) {
  await remove(id);
  await folder(id, true);
  return 0;
}

// Writes the body into chunk files; state.written advances only when a chunk file is closed.
async function pump(dir, reader, chunkSize, state, onProgress) {
  let writable = null;
  let filled = 0;
  let lastReport = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (let at = 0; at < value.length; ) {
        writable ??= await (await dir.getFileHandle(chunkName(state.written / chunkSize), { create: true })).createWritable();
        const piece = value.subarray(at, at + chunkSize - filled);
        await writable.write(piece);
        filled += piece.length;
        at += piece.length;
        if (filled === chunkSize) {
          await writable.close();
          [writable, filled, state.written] = [null, 0, state.written + chunkSize];
        }
      }
      if (performance.now() - lastReport > 200) {
        lastReport = performance.now();
        onProgress(state.written + filled);
      }
    }
    if (writable) await writable.close();
    [writable, state.written] = [null, state.written + filled];
    onProgress(state.written);
  } finally {
    if (writable) await writable.abort().catch(() => {});
  }
}

// Stops model `id`'s running transfer (it resolves with kind "aborted").
function abort(id) {
  aborts.get(id)?.abort();
}

async function sha256(url) {
  if (!globalThis.hashwasm) await import(url); // UMD build: defines globalThis.hashwasm
  return globalThis.hashwasm.createSHA256();
}

// {sha256 (hex), bytes} of model `id`'s stored chunks, read as streams; onProgress(bytes).
async function digest(id, hashUrl, onProgress) {
  const hash = await sha256(hashUrl);
  let bytes = 0;
  for (const chunk of await chunks(await folder(id))) {
    const reader = (await chunk.handle.getFile()).stream().getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      hash.update(part.value);
      bytes += part.value.length;
    }
    onProgress(bytes);
  }
  return { sha256: hash.digest("hex"), bytes };
}

// Marks model `id` verified: ready.json holds `meta` (JSON text). Written last, so a model
// without it is never loaded.
async function commit(id, meta) {
  const writable = await (await (await folder(id)).getFileHandle("ready.json", { create: true })).createWritable();
  await writable.write(meta);
  await writable.close();
}

async function remove(id) {
  abort(id);
  await (await modelsDir()).removeEntry(id, { recursive: true }).catch((e) => { if (e.name !== "NotFoundError") throw e; });
}

// A verified model's bytes as one stream over its chunk files (never the whole file in memory).
async function open(id) {
  const dir = await folder(id);
  await dir.getFileHandle("ready.json"); // throws NotFoundError for a partial or unverified model
  const files = await chunks(dir);
  let reader = null;
  return new ReadableStream({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          const next = files.shift();
          if (!next) return controller.close();
          reader = (await next.handle.getFile()).stream().getReader();
        }
        const { value, done } = await reader.read();
        if (!done) return controller.enqueue(value);
        reader = null;
      }
    },
    cancel: (reason) => reader?.cancel(reason),
  });
}

// Copies a user-picked File into model `id`'s chunks (Blob slices: streamed by the browser).
async function importFile(file, id, chunkSize, onProgress) {
  const dir = await folder(id, true);
  try {
    for (let index = 0; index * chunkSize < file.size; index++) {
      const writable = await (await dir.getFileHandle(chunkName(index), { create: true })).createWritable();
      await writable.write(file.slice(index * chunkSize, (index + 1) * chunkSize));
      await writable.close();
      onProgress(Math.min((index + 1) * chunkSize, file.size));
    }
    return { kind: "done", written: file.size, message: "" };
  } catch (error) {
    return { kind: error?.name === "QuotaExceededError" ? "quota" : "read", written: 0, message: String(error?.message ?? error) };
  }
}

// Bytes [start, end) of a File, for format checks (a few KB at most).
async function sliceOf(file, start, end) {
  return new Uint8Array(await file.slice(Math.max(start, 0), end).arrayBuffer());
}

async function estimate() {
  const { quota = -1, usage = -1 } = navigator.storage?.estimate ? await navigator.storage.estimate() : {};
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted() : false;
  return { quota, usage, persisted };
}

async function persist() {
  return navigator.storage?.persist ? navigator.storage.persist() : false;
}

// Can `bytes` more be stored? Asks the quota manager itself by reserving a sparse probe file
// (navigator.storage.estimate() pads its quota figure, so it cannot tell).
async function reserve(bytes) {
  const root = await navigator.storage.getDirectory();
  const probe = await root.getFileHandle("reserve.probe", { create: true });
  try {
    const writable = await probe.createWritable();
    try {
      await writable.truncate(bytes);
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => {});
      throw error;
    }
    return true;
  } catch (error) {
    if (error?.name === "QuotaExceededError") return false;
    throw error;
  } finally {
    await root.removeEntry("reserve.probe").catch(() => {});
  }
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
const api = { list, prepare, fetchInto, digest, commit, remove, open, importFile, sliceOf, estimate, persist, reserve };
export const store = {
  ...Object.fromEntries(Object.entries(api).map(([name, fn]) => [name, plain(fn)])),
  abort,
};
