// The page's end of an engine host (pwa/js/engine_mediapipe.js, engine_wllama.js or
// engine_transformers.js, each in its own dedicated worker): it posts requests, answers each with
// the reply that carries its id, and buffers the token batches of the running generation for take(),
// so Python pulls new text once per paint (no call into Python per batch). py/tabula/browser/
// engine_host.py is the typed end of the protocol; nothing here formats, queues or retries.

const ports = new Set(); // the engine hosts alive on this page

class Port {
  constructor(host, kind) {
    [this.host, this.kind] = [host, kind];
    this.pending = new Map(); // id -> {resolve, reject}
    this.next = 1;
    this.stream = null; // the running (or last) generation: {id, text, first, last, reading}
    this.progress = 0; // model bytes read while loading
    this.onLost = null;
    this.onFirst = null; // called once per generation, when its first visible text arrives (the painter)
    this.ended = "";
    host.onmessage = ({ data }) => this.receive(data);
    host.onerror = (event) => this.end(`the engine's worker failed: ${event.message || "no reason given"}`);
    ports.add(this);
  }

  request(message) {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.host.postMessage({ ...message, id });
    });
  }

  generate(message) {
    const now = performance.now();
    const reply = this.request(message);
    this.stream = { id: this.next - 1, text: "", first: null, last: now, reading: true, start: now, count: 0, woke: false };
    latest = this.stream;
    return reply;
  }

  post(message) {
    if (!this.ended) this.host.postMessage(message);
  }

  receive(data) {
    const stream = this.stream;
    if (data.type === "tokens" || data.type === "done" || data.type === "error") {
      if (stream && stream.id === data.id) this.touch(stream, data);
    }
    if (data.type === "tokens") return;
    if (data.type === "progress") return void (this.progress = data.bytes);
    if (data.type === "lost") return void this.onLost?.(data.message);
    const waiting = this.pending.get(data.id);
    if (!waiting) return;
    this.pending.delete(data.id);
    if (data.type === "error") waiting.reject(Object.assign(new Error(data.message), { stats: data.stats }));
    else waiting.resolve(data);
  }

  touch(stream, data) {
    stream.last = performance.now();
    stream.reading = false;
    if (data.type !== "tokens") return;
    stream.text += data.text;
    stream.count += data.count;
    stream.first ??= stream.last;
    if (stream.woke || !/\S/.test(data.text)) return; // whitespace alone shows nothing yet
    stream.woke = true;
    this.onFirst?.();
  }

  // What the generation wrote since the last take: [text, ms since its last activity, ms since
  // its first batch or -1, still reading the prompt]. The buffer is emptied.
  take() {
    const stream = this.stream;
    const now = performance.now();
    if (!stream) return ["", 0, -1, false];
    const text = stream.text;
    stream.text = "";
    return [text, now - stream.last, stream.first === null ? -1 : now - stream.first, stream.reading];
  }

  // End the host at once (its worker terminated: its GPU device and heap are freed for certain);
  // every request still waiting fails with `reason`.
  end(reason = "the engine was ended") {
    if (this.ended) return;
    this.ended = reason;
    ports.delete(this);
    this.host.terminate();
    for (const { reject } of this.pending.values()) reject(new Error(reason));
    this.pending.clear();
    if (this.stream) this.stream.reading = false;
  }
}

// A new engine host of `kind` in its own dedicated worker running `script`: "mediapipe" a
// classic one (engine_mediapipe.js says why), "wllama" and "transformers" module ones (both
// libraries are ES modules).
export function open(kind, script) {
  const type = kind === "mediapipe" ? "classic" : "module";
  return new Port(new Worker(script, { type, name: `tabula-${kind}` }), kind);
}

// How many engine hosts are alive on this page (diagnostics; two windows never hold one each).
export const live = () => ports.size;

// The newest engine host alive on this page, or null (diagnostics and tests).
export const current = () => [...ports].at(-1) ?? null;

// End every engine host on this page at once (another window took the engine).
export function endAll(reason) {
  for (const port of [...ports]) port.end(reason);
}

// The newest generation's arrival times on the page (performance.now() ms: asked, first and last
// batch) and how many deltas came: what bench/decode.py compares with a bare page.
let latest = null;
export const lastGeneration = () =>
  latest && { start: latest.start, first: latest.first, last: latest.first === null ? null : latest.last, deltas: latest.count };

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
