// Engine host: Transformers.js (@huggingface/transformers 4.3.2, on ONNX Runtime Web) hosting
// Gemma4ForConditionalGeneration + AutoProcessor in its own dedicated *module* worker (the
// library is an ES module), behind the same protocol as pwa/js/engine_mediapipe.js (read it
// there), so the third engine looks like the others to Python (py/tabula/browser/transformers.py).
// It is the one engine that takes photos and voice notes (issue #25). It hosts the model and
// translates messages, nothing else: the prompt arrives rendered by Python (image and audio
// placeholders included), the backend and dtype arrive chosen by Python (engine/backend.py).
//
// Differences from the MediaPipe host's messages:
//   load      {base, source: {url}, options: {ort, device, dtype, maxTokens}}: `base` is the
//             vendored Transformers.js folder, `ort` ONNX Runtime Web's (never a CDN); the
//             model is a SET of files under the folder URL `source.url` (config, processor,
//             tokenizer, onnx/<session>[_<dtype>].onnx + .onnx_data). "loaded".info says
//             {engine: "transformers", device: "webgpu"|"wasm", dtype, threads} (WebGPU q4 seen
//             running here on SwiftShader too: 8 tokens in 26 s, mostly shader compilation).
//   generate  {prompt, media: [{id, kind: "image"|"audio"}], options: {nPredict, maxTokens,
//             temperature, topK}}: each attachment's bytes are read here from IndexedDB "tabula-media",
//             store "attachments", key id, value {blob, kind, mime} (an image any format
//             createImageBitmap decodes; audio a 16 kHz mono WAV, PCM16 or float32). "done"
//             {text, tokens}; a prompt (photo and audio tokens included) that leaves no room is
//             refused: "input is too long: N tokens".
//   cancel    interrupts generation (InterruptableStoppingCriteria); text after it is dropped.
//   lost      {type: "lost", message} when ONNX Runtime's WebGPU device is lost while the model
//             is loaded (a tablet's GPU reset), as the MediaPipe host says it; not after unload.
// Token batches go at most every 16 ms (engine_common.js batcher). Loading from a same-origin
// folder only (allowRemoteModels off), no Cache Storage of its own (the service worker keeps the
// runtime: build.py ON_DEMAND; a stored model set is served at ./models/<id>/ from OPFS).

import { batcher, describe } from "./engine_common.js";

let tf = null; // the Transformers.js module, imported at the first load
let model = null;
let processor = null;
let stopping = null; // the running generation's InterruptableStoppingCriteria
let last = null; // what the last generation was given (diagnostics and tests)
let loaded = null; // what "loaded" said: the backend and dtype in use
const counts = { requested: 0, destroyed: 0 }; // GPU devices asked for and destroyed here

if (self.GPUAdapter) {
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (...args) {
    counts.requested += 1;
    return request.apply(this, args);
  };
  const destroy = GPUDevice.prototype.destroy;
  GPUDevice.prototype.destroy = function () {
    counts.destroyed += 1;
    return destroy.call(this);
  };
}

// The model folder URL as Transformers.js names it: a local path prefix and a model id. The
// prefix is a path on this origin, not a URL: Transformers.js 4.3.2 reads a "local" model only
// from a path (a URL it takes for remote, and remote models are off).
function split(url) {
  const folder = new URL(url, self.location.href);
  if (folder.origin !== self.location.origin) throw new Error(`not loading ${folder.href}: not stored on this device`);
  const parts = folder.pathname.replace(/\/+$/, "").split("/");
  return { root: `${parts.slice(0, -1).join("/")}/`, id: decodeURIComponent(parts.at(-1)) };
}

async function load({ base, source, options }) {
  tf ??= await import(`${base}/dist/transformers.min.js`);
  const { env, AutoProcessor, Gemma4ForConditionalGeneration } = tf;
  const { root, id } = split(source.url);
  Object.assign(env, { allowRemoteModels: false, allowLocalModels: true, localModelPath: root });
  Object.assign(env, { useBrowserCache: false, useWasmCache: false }); // the service worker caches
  env.backends.onnx.wasm.wasmPaths = {
    mjs: `${options.ort}/ort-wasm-simd-threaded.asyncify.mjs`,
    wasm: `${options.ort}/ort-wasm-simd-threaded.asyncify.wasm`,
  };
  // Threads as wllama's host runs them: half the cores where the page is cross-origin isolated.
  const isolated = self.crossOriginIsolated && typeof SharedArrayBuffer !== "undefined";
  env.backends.onnx.wasm.numThreads = isolated ? Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / 2)) : 1;
  const progress = progressReporter();
  processor = await AutoProcessor.from_pretrained(id, { progress_callback: progress });
  model = await Gemma4ForConditionalGeneration.from_pretrained(id, {
    device: options.device, dtype: options.dtype, progress_callback: progress,
  });
  yieldEachStep(model);
  watchDevice(env.backends.onnx.webgpu?.device, model);
  loaded = { engine: "transformers", device: options.device, dtype: options.dtype, threads: env.backends.onnx.wasm.numThreads };
  return loaded;
}

// ONNX Runtime's WebGPU device (env.webgpu.device, set once a WebGPU session exists): its loss
// while this model is loaded is told to the page, which fails the answer with the reason and
// offers Restart. A device given up on purpose (unload) is not a loss.
function watchDevice(device, mine) {
  device?.lost?.then((info) => {
    if (model === mine) postMessage({ type: "lost", message: info.message || info.reason || "lost" });
  });
}

// On the wasm backend ONNX Runtime computes in this worker's thread, and generate() runs its
// steps back to back with only promise continuations between them: no message (cancel) and no
// timer (the token batcher) would be handled until the whole answer is written. Each decoding
// step first yields one macrotask turn (a MessageChannel message: no timer clamping), so Stop is
// obeyed between two tokens and the batches go out as they are written.
function yieldEachStep(loaded) {
  const channel = new MessageChannel();
  const turn = () => new Promise((resolve) => ((channel.port1.onmessage = resolve), channel.port2.postMessage(0)));
  const forward = loaded.forward.bind(loaded);
  loaded.forward = async (inputs) => (await turn(), forward(inputs));
}

// Bytes of the model's files read so far, as "progress" messages (at most one each 250 ms).
function progressReporter() {
  const loaded = new Map();
  let told = 0;
  return (event) => {
    if (event.status !== "progress") return;
    loaded.set(event.file, event.loaded);
    if (performance.now() - told < 250) return;
    told = performance.now();
    postMessage({ type: "progress", bytes: [...loaded.values()].reduce((a, b) => a + b, 0) });
  };
}

// The attachment `id`'s record {blob, kind, mime} from IndexedDB (never creates the database).
function attachment(id) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("tabula-media");
    opening.onupgradeneeded = () => opening.transaction.abort(); // no such database: leave none behind
    opening.onerror = () => reject(new Error(`attachment ${id} not found: no attachments stored`));
    opening.onsuccess = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains("attachments")) return db.close(), reject(new Error(`attachment ${id} not found`));
      const read = db.transaction("attachments").objectStore("attachments").get(id);
      read.onsuccess = () => (db.close(), read.result ? resolve(read.result) : reject(new Error(`attachment ${id} not found`)));
      read.onerror = () => (db.close(), reject(read.error));
    };
  });
}

// A WAV file's samples as a Float32Array (16 kHz mono, PCM16 or float32: what the page stores).
export function wavSamples(buffer) {
  const view = new DataView(buffer);
  const tag = (at) => String.fromCharCode(...new Uint8Array(buffer, at, 4));
  if (buffer.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("audio is not a WAV file");
  let format = null;
  for (let at = 12; at + 8 <= buffer.byteLength; at += 8 + view.getUint32(at + 4, true) + (view.getUint32(at + 4, true) % 2)) {
    const size = view.getUint32(at + 4, true);
    if (tag(at) === "fmt ") {
      format = { code: view.getUint16(at + 8, true), channels: view.getUint16(at + 10, true), rate: view.getUint32(at + 12, true), bits: view.getUint16(at + 22, true) };
    } else if (tag(at) === "data" && format) {
      return samples(format, buffer.slice(at + 8, at + 8 + Math.min(size, buffer.byteLength - at - 8)));
    }
  }
  throw new Error("audio WAV file has no data");
}

function samples({ code, channels, rate, bits }, data) {
  if (channels !== 1 || rate !== 16000) throw new Error(`audio must be 16 kHz mono (this is ${rate} Hz, ${channels} channels)`);
  if (code === 3 && bits === 32) return new Float32Array(data);
  if (code === 1 && bits === 16) return Float32Array.from(new Int16Array(data), (x) => x / 32768);
  throw new Error(`audio WAV encoding ${code}/${bits}-bit is not PCM16 or float32`);
}

// The images and the audio clip the prompt's placeholders stand for, read from IndexedDB.
async function readMedia(media) {
  const images = [];
  const audio = [];
  for (const { id, kind } of media ?? []) {
    const { blob } = await attachment(id);
    if (kind === "image") images.push(await tf.RawImage.fromBlob(blob));
    else if (kind === "audio") audio.push(wavSamples(await blob.arrayBuffer()));
    else throw new Error(`attachment ${id}: unknown kind ${kind}`);
  }
  return { images: images.length ? images : null, audio: audio.length ? audio : null };
}

async function generate({ id, prompt, media, options }) {
  const stop = (stopping = new tf.InterruptableStoppingCriteria()); // Stop counts from here on
  const { images, audio } = await readMedia(media);
  const inputs = await processor(prompt, images, audio);
  const length = inputs.input_ids.dims.at(-1);
  const room = Math.min(options.nPredict, options.maxTokens - length);
  const sampling = options.temperature > 0 ? { do_sample: true, temperature: options.temperature, top_k: options.topK } : { do_sample: false };
  note(prompt, inputs, media, sampling);
  if (room < 1) throw new Error(`input is too long: ${length} tokens`);
  if (stop.interrupted) return { text: "", tokens: 0 }; // stopped while its photos were read
  const batch = batcher(postMessage, id);
  let text = "";
  let tokens = 0;
  const streamer = tokenStreamer(
    processor.tokenizer,
    (part) => stop.interrupted || (batch.add(part), (text += part)),
    (count) => stop.interrupted || (tokens += count),
  );
  try {
    await model.generate({ ...inputs, ...sampling, max_new_tokens: room, streamer, stopping_criteria: [stop] });
  } finally {
    batch.end();
    stopping = null;
  }
  return { text, tokens };
}

// The answer's text as soon as each token decodes to whole characters (Transformers.js's
// TextStreamer holds text back until a word ends, so an answer without spaces arrived at once).
// The prompt's tokens (the first put) are skipped; special tokens are never shown.
function tokenStreamer(tokenizer, onText, onTokens) {
  const special = new Set(tokenizer.all_special_ids.map(BigInt));
  const decode = (ids) => tokenizer.decode(ids, { skip_special_tokens: true });
  let [prompt, cache, shown] = [true, [], 0];
  return Object.assign(new tf.BaseStreamer(), {
    put(value) {
      if (prompt) return void (prompt = false);
      onTokens(value[0].length);
      cache.push(...value[0].filter((token) => !special.has(token)));
      const text = decode(cache);
      if (text.endsWith("\ufffd")) return; // a character split over tokens: wait for its end
      onText(text.slice(shown));
      [cache, shown] = text.endsWith("\n") ? [[], 0] : [cache, text.length];
    },
    end() {
      if (cache.length) onText(decode(cache).slice(shown));
      [prompt, cache, shown] = [true, [], 0];
    },
  });
}

// What the last generation was given: the tensors' shapes, the prompt's image/audio tokens and
// the sampling (greedy for a page's transcription).
function note(prompt, inputs, media, sampling) {
  const ids = inputs.input_ids.tolist()[0].map(Number);
  const config = model.config;
  last = {
    prompt, media, sampling, inputIds: ids.length,
    imageTokens: ids.filter((t) => t === config.image_token_id).length,
    audioTokens: ids.filter((t) => t === config.audio_token_id).length,
    pixelValues: inputs.pixel_values?.dims ?? null,
    inputFeatures: inputs.input_features?.dims ?? null,
  };
}

async function unload() {
  stopping?.interrupt();
  await model?.dispose();
  [model, processor] = [null, null];
}

const handlers = {
  load: async (message) => ({ type: "loaded", info: await load(message) }),
  generate: async (message) => ({ type: "done", ...(await generate(message)) }),
  count: async ({ text }) => ({ type: "counted", tokens: processor.tokenizer.encode(text).length }),
  cancel: async () => (stopping?.interrupt(), null),
  unload: async () => (await unload(), { type: "unloaded" }),
  stats: async () => ({ type: "stats", ...counts }),
};

if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.onmessage = async ({ data }) => {
    try {
      const reply = await handlers[data.type](data);
      if (reply) postMessage({ ...reply, id: data.id });
    } catch (error) {
      postMessage({ type: "error", id: data.id, message: describe(error), stats: { ...counts } });
    }
  };
  // Diagnostics, tests and bench/photo.py (as engine_mediapipe.js's): the model, its backend, and
// what the last answer was given.
  self.tabulaEngine = {
    model: () => model, last: () => last, loaded: () => loaded, stats: () => ({ ...counts }),
    device: () => tf?.env.backends.onnx.webgpu?.device, // ONNX Runtime's, on the WebGPU backend
  };
}
