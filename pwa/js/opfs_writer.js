// A dedicated (classic) worker that writes OPFS files through createSyncAccessHandle, for browsers
// whose FileSystemFileHandle has no createWritable (WebKit: every iPad browser). opfs_chunks.js
// drives it; it only moves bytes. A file is written as "<name>.part" and renamed to its name on
// close, so, as with createWritable, a file is there whole or not at all (a crash leaves only a
// .part, which nothing reads). Sync access handle methods were promises in Safari 16: awaited.
// Requests {id, op, path, name, ...}; replies {id, ok, value} or {id, ok: false, name, message}.

const open = new Map(); // request key -> {dir, temp, name, handle, at}

async function directory(path) {
  let dir = await navigator.storage.getDirectory();
  for (const part of path) dir = await dir.getDirectoryHandle(part, { create: true });
  return dir;
}

function take(key) {
  const file = open.get(key);
  open.delete(key);
  return file;
}

const ops = {
  // Whether sync access handles really work here: WebKitGTK 2.50 has createSyncAccessHandle but its
  // storage backend refuses it (NotSupportedError), so one is opened on a probe file.
  async probe() {
    if (typeof FileSystemFileHandle === "undefined" || !("createSyncAccessHandle" in FileSystemFileHandle.prototype)) return false;
    const root = await navigator.storage.getDirectory();
    try {
      const handle = await (await root.getFileHandle("writer.probe", { create: true })).createSyncAccessHandle();
      await handle.close();
      return true;
    } catch {
      return false;
    } finally {
      await root.removeEntry("writer.probe").catch(() => {});
    }
  },

  async open({ key, path, name }) {
    const dir = await directory(path);
    const temp = await dir.getFileHandle(`${name}.part`, { create: true });
    const handle = await temp.createSyncAccessHandle();
    await handle.truncate(0);
    open.set(key, { dir, temp, name, handle, at: 0 });
  },

  async write({ key, data }) {
    const file = open.get(key);
    const bytes = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : new Uint8Array(data);
    const wrote = await file.handle.write(bytes, { at: file.at });
    file.at += wrote;
    if (wrote !== bytes.length) throw new DOMException("the disk took fewer bytes than it was given", "QuotaExceededError");
  },

  // Sets the size; the last byte (a zero, as truncate leaves it) is written too, so the quota is
  // asked for the whole size (Chromium's truncate through a sync handle does not ask it).
  async truncate({ key, size }) {
    const { handle } = open.get(key);
    await handle.truncate(size);
    if (size > 0 && (await handle.write(new Uint8Array(1), { at: size - 1 })) !== 1) {
      throw new DOMException("the disk took fewer bytes than it was given", "QuotaExceededError");
    }
  },

  async close({ key }) {
    const file = take(key);
    await file.handle.flush();
    await file.handle.close();
    await file.dir.removeEntry(file.name).catch(() => {}); // a move does not replace everywhere
    await file.temp.move(file.dir, file.name);
  },

  async abort({ key }) {
    const file = take(key);
    if (!file) return;
    await Promise.resolve(file.handle.close()).catch(() => {});
    await file.dir.removeEntry(`${file.name}.part`).catch(() => {});
  },
};

onmessage = async ({ data }) => {
  try {
    postMessage({ id: data.id, ok: true, value: (await ops[data.op](data)) ?? null });
  } catch (error) {
    postMessage({ id: data.id, ok: false, name: error?.name ?? "Error", message: String(error?.message ?? error) });
  }
};
