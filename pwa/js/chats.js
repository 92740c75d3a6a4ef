// Thin shim over idb-keyval (vendored): the conversations' IndexedDB object store. Each write
// resolves once its transaction has committed and rejects when it aborted (a full storage, a
// failing disk); rejections cross into Python as plain Errors named after the DOMException
// (Pyodide 314 cannot wrap Chromium's QuotaExceededError class). No app logic here.

let keyval = null;
let store = null;

const plain = (fn) => async (...args) => {
  try {
    return await fn(...args);
  } catch (error) {
    throw new Error(`${error?.name ?? "Error"}: ${error?.message ?? error}`);
  }
};

// Loads idb-keyval from `libraryUrl` (absolute) and opens object store `storeName` of database
// `dbName` (created on first use).
export const open = plain(async (libraryUrl, dbName, storeName) => {
  keyval = await import(libraryUrl);
  store = keyval.createStore(dbName, storeName);
});

// Every value in the store.
export const values = plain(() => keyval.values(store));

// Stores `value` under `key`; resolves when that is on disk.
export const put = plain((key, value) => keyval.set(key, value, store));

// Removes `key`; resolves when that is on disk.
export const remove = plain((key) => keyval.del(key, store));
