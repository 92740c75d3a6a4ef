// Photos and audio clips for the chat (issue #25): decode and downscale a photo, decode and
// resample audio to 16 kHz mono WAV, record from the microphone, keep the results in IndexedDB
// (database "tabula-media", store "attachments", key: the attachment's id, value
// {blob, kind, mime}; the engine worker reads them there by id) and show them where a view asks
// (an element with data-media="<id>" gets an <img> or <audio> of the stored blob: the views'
// HTML policy allows no media tags, so they are made here, from our own store only).
// Limits, what is refused and every sentence are Python's (py/tabula/media/). No app logic here.

const DATABASE = "tabula-media";
const STORE = "attachments";
let opened = null; // Promise<IDBDatabase>
let watching = false;
const urls = new Map(); // attachment id -> object URL of its stored blob
let recorder = null;
let stream = null;
let chunks = [];

const named = (error) => String(error?.name ?? error ?? "Error");

// Opens the store (made on first use, also when another reader opened the database before it
// existed) and starts showing attachments.
export async function open() {
  await database().catch(() => null); // no IndexedDB here: each use says so, nothing is shown
  if (!watching) {
    watching = true;
    new MutationObserver(show).observe(document.body, { childList: true, subtree: true });
    show(null);
  }
}

function database() {
  opened ??= new Promise((resolve, reject) => {
    const first = indexedDB.open(DATABASE);
    first.onupgradeneeded = () => first.result.createObjectStore(STORE);
    first.onerror = () => reject(first.error);
    first.onsuccess = () => {
      const found = first.result;
      if (found.objectStoreNames.contains(STORE)) return resolve(keptOpen(found));
      const version = found.version + 1;
      found.close();
      const again = indexedDB.open(DATABASE, version);
      again.onupgradeneeded = () => again.result.createObjectStore(STORE);
      again.onerror = () => reject(again.error);
      again.onsuccess = () => resolve(keptOpen(again.result));
    };
  });
  opened.catch(() => (opened = null)); // refused once (storage off): the next call tries again
  return opened;
}

function keptOpen(db) {
  db.onversionchange = () => {
    db.close();
    opened = null;
  };
  return db;
}

// Runs `act` on the store in one transaction; resolves with its request's result once the
// transaction has committed (durable), rejects when it aborted.
async function request(mode, act) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const asked = act(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(asked.result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? asked.error);
  });
}

async function keep(id, kind, blob) {
  await request("readwrite", (store) => store.put({ blob, kind, mime: blob.type }, id));
}

const stored = (id) => request("readonly", (store) => store.get(id));

// Decodes `file` as `kind` ("image" | "audio") within `limits` ({maxSide, maxSeconds,
// sampleRate}) and stores it under `id`. The stored facts, or {error: name} (nothing stored).
// A file that cannot be decoded gives {error: name}; one that cannot be stored {error:
// "storage:" + name} (QuotaExceededError: the device is full).
export async function prepare(file, id, kind, limits) {
  let found;
  try {
    found = kind === "image" ? await image(file, limits) : await audio(await file.arrayBuffer(), limits);
  } catch (error) {
    console.warn(`media.js: ${file.name} could not be decoded as ${kind}: ${named(error)} ${error?.message ?? ""}`);
    return { error: named(error) };
  }
  return kept(id, kind, found);
}

async function kept(id, kind, found) {
  const { blob, ...facts } = found;
  try {
    await keep(id, kind, blob);
  } catch (error) {
    return { error: `storage:${named(error)}` };
  }
  return { ...facts, mime: blob.type, size: blob.size };
}

// A photo, its longest side at most maxSide pixels (as the camera meant it to be seen), as JPEG
// (PNG stays PNG: screenshots and transparency).
async function image(file, { maxSide }) {
  // No options: older Safari refuses the newer imageOrientation value, and browsers now apply a
  // photo's own orientation by default.
  const bitmap = await createImageBitmap(file);
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const type = file.type === "image/png" ? "image/png" : "image/jpeg";
    return { blob: await draw(bitmap, width, height, type), width, height };
  } finally {
    bitmap.close();
  }
}

async function draw(bitmap, width, height, type) {
  if (typeof OffscreenCanvas === "function") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    return canvas.convertToBlob({ type, quality: 0.9 });
  }
  const canvas = Object.assign(document.createElement("canvas"), { width, height });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("EncodingError"))), type, 0.9));
}

// Audio decoded (resampled to `sampleRate` by the decoder), mixed down to mono, cut at
// maxSeconds, as a PCM16 WAV.
async function audio(bytes, { maxSeconds, sampleRate }) {
  const decoded = await new OfflineAudioContext(1, 1, sampleRate).decodeAudioData(bytes);
  const frames = Math.min(decoded.length, Math.round(maxSeconds * sampleRate));
  if (frames < 1) throw new Error("EmptyAudio");
  const mix = new OfflineAudioContext(1, frames, sampleRate);
  const source = mix.createBufferSource();
  source.buffer = decoded;
  source.connect(mix.destination);
  source.start();
  const rendered = await mix.startRendering();
  return { blob: wav(rendered.getChannelData(0), sampleRate), seconds: frames / sampleRate, full_seconds: decoded.duration };
}

function wav(samples, rate) {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
  return new Blob([view.buffer], { type: "audio/wav" });
}

// Starts recording from the microphone (the browser asks for permission now): "" once it
// records, else the error's name (NotAllowedError, NotFoundError...).
export async function startRecording() {
  cancelRecording();
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => event.data.size && chunks.push(event.data));
    recorder.start(250);
    return "";
  } catch (error) {
    release();
    return named(error);
  }
}

// Ends the recording and stores it under `id` as prepare() stores a sound file.
export async function stopRecording(id, limits) {
  if (recorder === null) return { error: "NotRecording" };
  const stopped = new Promise((resolve) => recorder.addEventListener("stop", resolve, { once: true }));
  recorder.stop();
  await stopped;
  const blob = new Blob(chunks, { type: recorder.mimeType });
  recorder = null;
  chunks = [];
  release();
  if (!blob.size) return { error: "EmptyAudio" };
  let found;
  try {
    found = await audio(await blob.arrayBuffer(), limits);
  } catch (error) {
    return { error: named(error) };
  }
  return kept(id, "audio", found);
}

// Ends the recording, if any, and keeps nothing.
export function cancelRecording() {
  if (recorder !== null && recorder.state !== "inactive") recorder.stop();
  recorder = null;
  chunks = [];
  release();
}

function release() {
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
}

// [type, base64] of a stored attachment, or null.
export async function read(id) {
  const value = await stored(id).catch(() => null);
  if (!value) return null;
  const bytes = new Uint8Array(await value.blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return [value.mime, btoa(binary)];
}

// Stores base64 `data` under `id` (an imported attachment).
export async function write(id, kind, mime, data) {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  await keep(id, kind, new Blob([bytes], { type: mime }));
}

// The ids of every stored attachment.
export async function ids() {
  return request("readonly", (store) => store.getAllKeys()).catch(() => []);
}

export async function remove(id) {
  await request("readwrite", (store) => store.delete(id)).catch(() => null);
  const url = urls.get(id);
  if (url) URL.revokeObjectURL(url);
  urls.delete(id);
}

// Each element with data-media and nothing in it yet gets its <img> or <audio controls>: at
// first in the whole page, then only in what was added (a streaming answer's paints stay cheap).
function show(records) {
  const added = records
    ? records.flatMap((record) => [...record.addedNodes]).filter((node) => node.nodeType === Node.ELEMENT_NODE)
    : [document.body];
  for (const node of added) {
    const boxes = node.matches("[data-media]") ? [node] : node.querySelectorAll("[data-media]");
    for (const box of boxes) if (!box.firstChild && !box.hasAttribute("data-loading")) fill(box);
  }
}

async function fill(box) {
  const id = box.dataset.media;
  box.dataset.loading = "";
  let url = urls.get(id);
  if (!url) {
    const value = await stored(id).catch(() => undefined);
    if (!value) return box.setAttribute("data-missing", "");
    url = urls.get(id) ?? URL.createObjectURL(value.blob);
    urls.set(id, url);
  }
  if (box.firstChild) return;
  const media = document.createElement(box.dataset.kind === "audio" ? "audio" : "img");
  if (media.tagName === "AUDIO") media.controls = true;
  else media.alt = box.getAttribute("aria-label") ?? "";
  media.src = url;
  box.append(media);
}
