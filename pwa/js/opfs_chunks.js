// OPFS storage of model files, for model_bytes.js: a model is a folder models/<id>/ of
// fixed-size chunk files (c000000, c000001, ...) plus ready.json once verified. A chunk file is
// written whole or not at all: createWritable commits on close, and where a browser has no
// createWritable (WebKit) the sync-access-handle worker opfs_writer.js writes a .part file and
// renames it on close. Plain values in and out.

export const chunkName = (index) => `c${String(index).padStart(6, "0")}`;

export async function modelsDir() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle("models", { create: true });
}

// Model `id`'s folder; "<set>/<file>" names one file's folder inside a set's (models made of
// several files: py/tabula/models/sets.py).
export async function folder(id, create = false) {
  let dir = await modelsDir();
  for (const name of id.split("/")) dir = await dir.getDirectoryHandle(name, { create });
  return dir;
}

// The chunk files of a model folder, in order: [{name, handle, size}].
export async function chunks(dir) {
  const found = [];
  for await (const [name, handle] of dir.entries()) {
    if (handle.kind === "file" && /^c\d{6}$/.test(name)) found.push({ name, handle, size: (await handle.getFile()).size });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

// Every model folder: [{id, bytes, ready}] where ready is ready.json's text or "" (partial);
// a set's bytes are its files' folders'. Unknown numbers cross as -1 and missing text as "", never null.
export async function list() {
  const out = [];
  for await (const [id, dir] of (await modelsDir()).entries()) {
    if (dir.kind !== "directory") continue;
    let bytes = (await chunks(dir)).reduce((sum, c) => sum + c.size, 0);
    for await (const inner of dir.values()) {
      if (inner.kind === "directory") bytes += (await chunks(inner)).reduce((sum, c) => sum + c.size, 0);
    }
    const ready = await dir.getFileHandle("ready.json").then((h) => h.getFile()).then((f) => f.text(), () => "");
    out.push({ id, bytes, ready });
  }
  return out;
}

// Where a transfer must resume: the bytes in whole chunks (a short last chunk counts only when
// it completes the file). Irregular leftovers are deleted.
export async function prepare(id, chunkSize, total) { // total: -1 when unknown
  const dir = await folder(id, true);
  let offset = 0;
  for (const [index, chunk] of (await chunks(dir)).entries()) {
    const fits = chunk.name === chunkName(index) && (chunk.size === chunkSize || offset + chunk.size === total);
    if (fits && offset === index * chunkSize) offset += chunk.size;
    else await dir.removeEntry(chunk.name);
  }
  return offset;
}

// What this browser can do for models, measured once: {files, reason}; files is "writable"
// (createWritable), "sync" (createSyncAccessHandle in opfs_writer.js) or "none" (no Storage API,
// or getDirectory() refused: a private session), with the browser's reason.
let measured = null;
export function capability() {
  measured ??= (async () => {
    if (!navigator.storage?.getDirectory) return { files: "none", reason: "navigator.storage.getDirectory is missing" };
    try {
      await navigator.storage.getDirectory();
    } catch (error) {
      return { files: "none", reason: `${error?.name ?? "Error"}: ${error?.message ?? error}` };
    }
    if ("createWritable" in FileSystemFileHandle.prototype) return { files: "writable", reason: "" };
    if (await ask("probe").catch(() => false)) return { files: "sync", reason: "" };
    return { files: "none", reason: "no createWritable, and no createSyncAccessHandle that works" };
  })();
  return measured;
}

let worker = null;
let asked = 0;
const waiting = new Map(); // request id -> [resolve, reject]

// One request to opfs_writer.js (started on first use); its errors come back as DOMExceptions
// with the worker's name, so QuotaExceededError stays one.
function ask(op, fields = {}, transfer = []) {
  if (!worker) {
    worker = new Worker(new URL("./opfs_writer.js", import.meta.url));
    worker.onmessage = ({ data }) => {
      const [resolve, reject] = waiting.get(data.id);
      waiting.delete(data.id);
      if (data.ok) resolve(data.value);
      else reject(new DOMException(data.message, data.name));
    };
  }
  const id = ++asked;
  return new Promise((resolve, reject) => {
    waiting.set(id, [resolve, reject]);
    worker.postMessage({ id, op, ...fields }, transfer);
  });
}

// A writer for file `name` in model `id`'s folder (the root when `id` is null): write(bytes, Blob
// or text), truncate(size), close() (the file appears whole), abort() (nothing is kept).
export async function writer(id, name) {
  const dir = id === null ? await navigator.storage.getDirectory() : await folder(id, true);
  if ("createWritable" in FileSystemFileHandle.prototype) {
    return (await dir.getFileHandle(name, { create: true })).createWritable();
  }
  const key = `${id}/${name}/${++asked}`;
  await ask("open", { key, path: id === null ? [] : ["models", ...id.split("/")], name });
  return {
    async write(data) {
      if (typeof data === "string") data = new TextEncoder().encode(data);
      if (data instanceof Blob) return ask("write", { key, data });
      const copy = data.slice(); // the caller keeps its bytes (they are hashed after the write)
      return ask("write", { key, data: copy.buffer }, [copy.buffer]);
    },
    truncate: (size) => ask("truncate", { key, size }),
    close: () => ask("close", { key }),
    abort: () => ask("abort", { key }),
  };
}

// Writes `data` as file `name` of model `id` (or the root), whole or not at all.
export async function writeWhole(id, name, data) {
  const out = await writer(id, name);
  try {
    await out.write(data);
    await out.close();
  } catch (error) {
    await out.abort().catch(() => {});
    throw error;
  }
}

// Marks model `id` verified: ready.json holds `meta` (JSON text). Written last, so a model
// without it is never loaded.
export async function commit(id, meta) {
  await folder(id); // NotFoundError for a deleted model: never recreated by its commit
  await writeWhole(id, "ready.json", meta);
}

export async function remove(id) {
  const at = id.lastIndexOf("/");
  const parent = at < 0 ? await modelsDir() : await folder(id.slice(0, at)).catch(() => null);
  await parent?.removeEntry(id.slice(at + 1), { recursive: true }).catch((e) => { if (e.name !== "NotFoundError") throw e; });
}

// A verified model's bytes as one stream over its chunk files (never the whole file in memory).
export async function open(id) {
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

// A verified model's chunk Files, in order (for the CPU engine, which reads them as one Blob).
export async function files(id) {
  const dir = await folder(id);
  await dir.getFileHandle("ready.json"); // throws NotFoundError for a partial or unverified model
  return Promise.all((await chunks(dir)).map((chunk) => chunk.handle.getFile()));
}

// Copies a user-picked File into model `id`'s chunks (Blob slices: streamed by the browser).
export async function importFile(file, id, chunkSize, onProgress) {
  try {
    for (let index = 0; index * chunkSize < file.size; index++) {
      await writeWhole(id, chunkName(index), file.slice(index * chunkSize, (index + 1) * chunkSize));
      onProgress(Math.min((index + 1) * chunkSize, file.size));
    }
    return { kind: "done", written: file.size, message: "" };
  } catch (error) {
    return { kind: error?.name === "QuotaExceededError" ? "quota" : "read", written: 0, message: String(error?.message ?? error) };
  }
}

// Bytes [start, end) of a File, for format checks (a few KB at most).
export async function sliceOf(file, start, end) {
  return new Uint8Array(await file.slice(Math.max(start, 0), end).arrayBuffer());
}

export async function estimate() {
  const { quota = -1, usage = -1 } = navigator.storage?.estimate ? await navigator.storage.estimate() : {};
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted() : false;
  return { quota, usage, persisted };
}

export async function persist() {
  return navigator.storage?.persist ? navigator.storage.persist() : false;
}

// Can `bytes` more be stored? Asks the quota manager itself by reserving a sparse probe file
// (navigator.storage.estimate() pads its quota figure, so it cannot tell).
export async function reserve(bytes) {
  const root = await navigator.storage.getDirectory();
  try {
    const writable = await writer(null, "reserve.probe");
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
    await root.removeEntry("reserve.probe.part").catch(() => {});
  }
}
