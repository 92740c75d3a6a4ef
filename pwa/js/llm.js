// Thin shim over @mediapipe/tasks-genai: plain values in and out. No prompt formatting,
// no queueing, no retry logic: py/tabula/browser/mediapipe.py and py/tabula/engine/queue.py own those.

const bundles = new Map();
const devices = new WeakMap(); // llm -> its GPUDevice
const closing = new WeakSet(); // devices we are closing on purpose
const live = new Set(); // devices made here and neither destroyed nor lost (diagnostics)
let lastDevice = null;
let lastLlm = null;

async function genai(base) {
  if (!bundles.has(base)) bundles.set(base, import(`${base}/genai_bundle.mjs`));
  return bundles.get(base);
}

// What the WebGPU adapter offers: {webgpu, f16, maxBufferSize, maxStorageBufferBindingSize,
// vendor, architecture, description, fallback}. fallback: a software adapter by the browser's own
// word (GPUAdapterInfo.isFallbackAdapter from Chrome 136; GPUAdapter.isFallbackAdapter before).
export async function probe() {
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
  if (!adapter) {
    return {
      webgpu: false, f16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0,
      vendor: "", architecture: "", description: "", fallback: false,
    };
  }
  const info = adapter.info ?? {};
  return {
    webgpu: true,
    f16: adapter.features.has("shader-f16"),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    description: info.description ?? "",
    fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
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

async function download(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Failed to fetch model: HTTP ${response.status} for ${url}`);
  return response.body;
}

// source: {url} or {stream} (a ReadableStream of the model's bytes); either way MediaPipe reads
// a stream, so the file is never held whole in memory.
// onLost(message) is called if the GPU device is lost while the model is in use.
export async function create(base, source, options, onLost) {
  const { LlmInference } = await genai(base);
  const fileset = {
    wasmLoaderPath: `${base}/wasm/genai_wasm_internal.js`,
    wasmBinaryPath: `${base}/wasm/genai_wasm_internal.wasm`,
  };
  const stream = source.stream ?? (await download(source.url));
  const device = await LlmInference.createWebGpuDevice();
  live.add(device);
  device.lost.then((info) => {
    live.delete(device);
    if (!closing.has(device)) onLost(info.message || info.reason || "lost");
  });
  const baseOptions = { modelAssetBuffer: chunked(stream).getReader(), gpuOptions: { device } };
  const llm = await LlmInference.createFromOptions(fileset, { baseOptions, ...options });
  devices.set(llm, device);
  lastDevice = device;
  lastLlm = llm;
  return llm;
}

// The GPU device of the newest engine (for diagnostics and fault tests).
export const currentDevice = () => lastDevice;

// How many GPU devices made for engines are still alive (1 with a model loaded; for diagnostics).
export const liveDevices = () => live.size;

// The size of the newest engine's wasm heap in bytes (for leak hunts and the soak test). The
// Emscripten module is found by its shape, since MediaPipe's bundle minifies its field names.
export function currentHeapBytes() {
  for (const part of Object.values(lastLlm ?? {})) {
    if (!part || typeof part !== "object") continue;
    for (const inner of Object.values(part)) if (inner?.HEAPU8) return inner.HEAPU8.length;
  }
  return 0;
}

// Generates, buffering the text deltas (and when the engine last showed activity) for take(),
// and resolves with the whole answer. Nothing calls into Python per token: Python takes the new
// text once per paint. Deltas that arrive after the promise settles are dropped.
const streams = new WeakMap(); // llm -> {text, first, last} of its running (or last) generation
let latest = null; // when the newest generation's tokens arrived (for the benchmarks)
export function generate(llm, prompt) {
  const stream = { text: "", first: null, last: performance.now(), live: true };
  const arrivals = { start: stream.last, first: null, last: null, deltas: 0 };
  streams.set(llm, stream);
  latest = arrivals;
  const listener = (partial) => {
    if (!stream.live || !partial) return;
    stream.text += partial;
    stream.last = performance.now();
    stream.first ??= stream.last;
    arrivals.first ??= stream.last;
    arrivals.last = stream.last;
    arrivals.deltas += 1;
  };
  return llm.generateResponse(prompt, listener).finally(() => {
    stream.live = false;
    stream.last = performance.now();
  });
}

// The newest generation's arrival times (performance.now() ms: generate() called, first and
// last delta) and how many deltas came: what bench/decode.py compares with a bare page.
export const lastGeneration = () => latest;

// What the generation wrote since the last take: [text, ms since its last activity, ms since its
// first delta or -1]. The buffer is emptied.
export function take(llm) {
  const stream = streams.get(llm);
  const now = performance.now();
  if (!stream) return ["", 0, -1];
  const text = stream.text;
  stream.text = "";
  return [text, now - stream.last, stream.first === null ? -1 : now - stream.first];
}

export const sizeInTokens = (llm, text) => llm.sizeInTokens(text) ?? 0;
export const cancel = (llm) => llm.cancelProcessing();

// Close the engine, then destroy its GPU device (MediaPipe's close() leaves the device it was
// given alive, holding its buffers until garbage collection), even if close() throws.
export function close(llm) {
  const device = release(llm);
  try {
    llm.close();
  } finally {
    device?.destroy();
  }
}

// Free an engine that is busy or stuck: its GPU device is destroyed first (its buffers are
// freed at once and its work ends in errors nobody waits for), then its graph closed if it can.
export function destroy(llm) {
  release(llm)?.destroy();
  try {
    llm.close();
  } catch (error) {
    console.warn("Tabula: an abandoned engine did not close:", error);
  }
}

function release(llm) {
  const device = devices.get(llm);
  if (device) closing.add(device);
  devices.delete(llm);
  if (lastLlm === llm) [lastLlm, lastDevice] = [null, null]; // let the engine's memory go
  return device;
}
