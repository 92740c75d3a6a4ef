// Engine host: MediaPipe's LlmInference (@mediapipe/tasks-genai) in its own dedicated worker, so
// the page thread is left to Python and the person. It hosts one engine and translates messages:
// no prompt formatting, no queueing, no retries (py/tabula/ owns those).
//
// A *classic* worker, on purpose: tasks-genai loads its wasm loader (genai_wasm_internal.js, a
// classic script that defines a global factory) with importScripts. In a module worker
// importScripts throws, the bundle falls back to import() of that script, whose factory then
// never reaches the global scope, and the load fails. So the page starts this file as a classic
// worker, it loads genai_bundle.js (an IIFE defining the global `GenAI`) with importScripts, as
// MediaPipe's own js_worker sample does, and reaches the ES modules it shares with the wllama
// host through import(), which classic workers allow.
//
// Protocol (py/tabula/browser/engine_host.py is its typed end), plain values only:
//   page -> worker  {type: "load", id, base, source: {stored} | {url}, options}
//                   {type: "generate", id, prompt} · {type: "cancel"} · {type: "count", id, text}
//                   {type: "unload", id} · {type: "stats", id}
//   worker -> page  {type: "progress", bytes} · {type: "loaded", id, info}
//                   {type: "tokens", id, text, count} (at most one each 16 ms)
//                   {type: "done", id, text, tokens} · {type: "counted", id, tokens}
//                   {type: "error", id, message, stats} · {type: "lost", message}
//                   {type: "unloaded", id} · {type: "stats", id, requested, destroyed}
// Model bytes go from OPFS (or this site) straight into this worker, never through the page.

let common = null;
let llm = null;
let device = null;
let quitting = false; // the device is being destroyed on purpose: not a loss to report
const counts = { requested: 0, destroyed: 0 }; // GPU devices asked for and destroyed here

// Every GPU device made in this worker is counted, whoever asks (diagnostics and the tests'
// proof that a failed load leaves none behind).
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

const stats = () => ({ ...counts });

async function load({ base, source, options }) {
  importScripts(`${base}/genai_bundle.js`);
  common ??= await import("./engine_common.js");
  const { FilesetResolver, LlmInference } = self.GenAI;
  const fileset = await FilesetResolver.forGenAiTasks(new URL(`${base}/wasm`, self.location).href);
  const stream = source.stored ? await common.storedStream(source.stored, postMessage) : (await common.fetched(source.url)).body;
  device = await LlmInference.createWebGpuDevice();
  const mine = device;
  mine.lost.then((info) => {
    if (!quitting && device === mine) postMessage({ type: "lost", message: info.message || info.reason || "lost" });
  });
  try {
    const baseOptions = { modelAssetBuffer: chunked(stream).getReader(), gpuOptions: { device } };
    llm = await LlmInference.createFromOptions(fileset, { baseOptions, ...options });
  } catch (error) {
    release(); // a failed load keeps no GPU device (the page ends this worker too)
    throw error;
  }
  return { info: { engine: "mediapipe" } };
}

// Re-chunks a byte stream into small pieces. MediaPipe 0.10.29 tees the model stream to sniff
// its format and can throw "Cannot close an errored readable stream" (and never finish loading)
// when the source ends while its probe branches are cancelled, i.e. for a small model that
// arrives in one chunk. Small chunks keep the end of the stream far from the sniffing.
function chunked(body, size = 64 * 1024) {
  const reader = body.getReader();
  let rest = new Uint8Array(0);
  return new ReadableStream({
    async pull(controller) {
      if (rest.length === 0) {
        const { value, done } = await reader.read();
        if (done) return controller.close();
        rest = value;
      }
      controller.enqueue(rest.subarray(0, size));
      rest = rest.subarray(size);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

async function generate({ id, prompt }) {
  const batch = common.batcher(postMessage, id);
  let tokens = 0; // one call per decoded token, even one that ends inside a character (the app compares it with the budget)
  try {
    const text = await llm.generateResponse(prompt, (partial) => (tokens++, batch.add(partial)));
    return { text, tokens };
  } finally {
    batch.end();
  }
}

// Close the engine and destroy its GPU device (MediaPipe's close() leaves the device it was
// given alive, holding its buffers until garbage collection), even if close() throws.
function release() {
  quitting = true;
  try {
    llm?.close();
  } finally {
    device?.destroy();
    [llm, device] = [null, null];
  }
}

const handlers = {
  load: async (message) => ({ type: "loaded", ...(await load(message)) }),
  generate: async (message) => ({ type: "done", ...(await generate(message)) }),
  count: async ({ text }) => ({ type: "counted", tokens: llm.sizeInTokens(text) ?? 0 }),
  cancel: async () => (llm?.cancelProcessing(), null),
  unload: async () => (release(), { type: "unloaded" }),
  stats: async () => ({ type: "stats", ...stats() }),
};

self.onmessage = async ({ data }) => {
  try {
    const reply = await handlers[data.type](data);
    if (reply) postMessage({ ...reply, id: data.id });
  } catch (error) {
    postMessage({ type: "error", id: data.id, message: common ? common.describe(error) : String(error), stats: stats() });
  }
};

// The engine's wasm heap in bytes (for leak hunts and the soak test). The Emscripten module is
// found by its shape, since MediaPipe's bundle minifies its field names.
function heap() {
  for (const part of Object.values(llm ?? {})) {
    if (!part || typeof part !== "object") continue;
    for (const inner of Object.values(part)) if (inner?.HEAPU8) return inner.HEAPU8.length;
  }
  return 0;
}

// For fault tests and diagnostics, from a debugger or Playwright's worker.evaluate: the live
// GPU device, the counts and the heap.
self.tabulaEngine = { device: () => device, stats, heap, llm: () => llm };
