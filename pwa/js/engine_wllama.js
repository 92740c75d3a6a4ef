// Engine host: wllama 3 (@wllama/wllama: llama.cpp's server core compiled to wasm, on the CPU) in
// its own dedicated *module* worker (wllama is an ES module), behind the same protocol as
// pwa/js/engine_mediapipe.js, so both engines look the same to Python. wllama computes in a
// worker it starts from here (a nested worker), and its own part (reading the model's Blob into
// that worker, the streamed chunks) runs here too: no model byte crosses the page. Terminating
// this worker ends wllama's with it. The messages are those of engine_mediapipe.js, plus
// `threads`, `compat` and `nCtxTrain` in "loaded"'s info, the sampling options ({nPredict,
// temperature, topK}) in "generate" and `tokens`/`reason` ("length": cut at nPredict) in
// "done". No prompt formatting, no queueing, no token budget: py/tabula/ owns those. The library
// is imported only when a GGUF model is loaded. Imported as a module (not as a worker), it only
// exports `threads` and `compat`.
//
// Browsers without wasm JSPI or Memory64 (Safari: every iPad browser) run @wllama/wllama-compat's
// build (Asyncify, 32-bit memory), from our own copy: wllama would fetch it from a CDN.

import { batcher, describe, fetched, storedFiles } from "./engine_common.js";

// Threads need SharedArrayBuffer, i.e. a cross-origin isolated page: there wllama runs on half
// the logical cores (models/fit.py cpu_threads says the same to the Models page); elsewhere on
// one. (WebKit leaves SharedArrayBuffer undefined even on an isolated page: one thread there.)
export const threads = () =>
  self.crossOriginIsolated && typeof SharedArrayBuffer !== "undefined"
    ? Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / 2))
    : 1;

// True where wllama needs its compat build: no JSPI (WebAssembly.Suspending) or no Memory64
// (wllama 3.13's own test; Firefox runs the main build without JSPI, as wllama does there).
export const compat = () => {
  const firefox = /Firefox\/[0-9.]+(\s|$)/.test(navigator.userAgent);
  return !firefox && !(WebAssembly.Suspending && memory64());
};

function memory64() {
  try {
    return Boolean(new WebAssembly.Memory({ address: "i64", initial: 1n }));
  } catch {
    return false;
  }
}

// The stored chunk Files joined into one Blob (a view over the files that copies nothing; several
// Blobs would mean several gguf-split shards to wllama), or the site's own copy.
async function modelBlob(source) {
  if (source.stored) return new Blob(await storedFiles(source.stored));
  return (await fetched(source.url)).blob();
}

// wllama's own log, quiet: its errors are thrown to us too (and turned into sentences by Python).
const quiet = () => {};
const logger = { debug: quiet, log: quiet, info: quiet, warn: console.warn, error: console.warn };

class WllamaHost {
  constructor() {
    this.onmessage = null;
    this.wllama = null;
    this.abort = null;
  }

  postMessage(data) {
    this.handle(data).then(
      (reply) => reply && this.send({ ...reply, id: data.id }),
      (error) => this.send({ type: "error", id: data.id, message: describe(error), stats: {} }),
    );
  }

  send(data) {
    if (this.onmessage) this.onmessage({ data });
  }

  async handle(data) {
    switch (data.type) {
      case "load": return { type: "loaded", info: await this.load(data) };
      case "generate": return { type: "done", ...(await this.generate(data)) };
      case "count": return { type: "counted", tokens: await this.count(data.text) };
      case "cancel": return this.abort?.abort(), null;
      case "unload": return await this.wllama?.exit(), (this.wllama = null), { type: "unloaded" };
      case "stats": return { type: "stats", requested: 0, destroyed: 0 };
      default: throw new Error(`unknown message ${data.type}`);
    }
  }

  // options: {maxTokens, randomSeed}. What runs comes back: {threads, multiThread, compat, nCtxTrain}.
  async load({ base, source, options }) {
    self.document ??= { baseURI: self.location.href }; // wllama resolves its wasm paths against it
    const { Wllama } = await import(`${base}/index.js`);
    const wllama = new Wllama({ default: `${base}/wasm/wllama.wasm` }, { suppressNativeLog: true, logger });
    wllama.setCompat({ wasm: `${base}/compat/wllama.wasm`, worker: `${base}/compat/wllama.js` });
    this.wllama = wllama;
    this.seed = options.randomSeed;
    try {
      // n_gpu_layers 0: this is the CPU engine (wllama 3 would offload to WebGPU by default).
      // n_batch 128 (llama.cpp's 2048 by default): a prompt is read 128 tokens at a time, and
      // Stop is obeyed between two of them: within seconds on a slow tablet, not a whole page.
      // n_ctx 64 over maxTokens (the app's budget for prompt + answer): an answer that runs to its
      // budget never fills llama.cpp's cache, and on WebKit's build (Safari) the first read after
      // a full cache took 26 s (an answer declared stalled, a follow-up kept waiting).
      const params = { n_ctx: options.maxTokens + 64, n_threads: threads(), n_gpu_layers: 0, n_batch: 128 };
      await wllama.loadModel([await modelBlob(source)], params);
    } catch (error) {
      this.terminate();
      throw error;
    }
    const info = wllama.getLoadedContextInfo();
    return { engine: "wllama", threads: wllama.getNumThreads(), multiThread: wllama.isMultithread(), compat: compat(), nCtxTrain: info.n_ctx_train };
  }

  // A raw completion of `prompt` (already templated by the app; wllama applies no template here).
  // cancel aborts it through its AbortSignal, while it reads the prompt too. llama.cpp keeps the
  // prompt it read (cache_prompt) and reads only what a follow-up adds.
  async generate({ id, prompt, options }) {
    const batch = batcher((message) => this.send(message), id);
    const abort = (this.abort = new AbortController());
    let text = "";
    let end = { tokens: -1, reason: "" };
    try {
      await this.wllama.createCompletion({
        prompt, max_tokens: options.nPredict, temperature: options.temperature, top_k: options.topK,
        seed: this.seed, cache_prompt: true, stream: true, abortSignal: abort.signal,
        onData: (chunk) => {
          const choice = chunk.choices?.[0];
          if (choice?.text) batch.add(choice.text), (text += choice.text);
          if (choice?.finish_reason) end = { tokens: chunk.usage?.completion_tokens ?? -1, reason: choice.finish_reason };
        },
      });
    } catch (error) {
      if (!abort.signal.aborted) throw error; // stopped (while reading the prompt too): what was written stays
    } finally {
      batch.end();
    }
    return { text, ...end };
  }

  // Tokens `text` is for this model, counted by llama.cpp itself (wllama 3 has no tokenize): the
  // text is read as a prompt with one token to write, which llama.cpp keeps (cache_prompt), so
  // the answer that follows reads only what it adds. Text longer than the context is refused
  // before it is read, with its count in the refusal. cancel (Stop) aborts the reading too.
  async count(text) {
    const abort = (this.abort = new AbortController());
    try {
      const done = await this.wllama.createCompletion({ prompt: text, max_tokens: 1, temperature: 0, cache_prompt: true, abortSignal: abort.signal });
      return done.usage.prompt_tokens;
    } catch (error) {
      const over = /request \((\d+) tokens\) exceeds the available context size/.exec(describe(error));
      if (over) return Number(over[1]);
      throw abort.signal.aborted ? new Error("cancelled: stopped while reading") : error;
    }
  }

  // Abort what runs and end wllama's worker at once: exit() waits for the worker's answer, which
  // a stuck worker never sends, so this reaches its proxy's worker.
  terminate() {
    this.abort?.abort();
    this.wllama?.proxy?.worker?.terminate();
    this.wllama = null;
  }
}

// As a worker: one host, bound to this worker's messages.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  const host = new WllamaHost();
  host.onmessage = ({ data }) => postMessage(data);
  self.onmessage = ({ data }) => host.postMessage(data);
  self.tabulaEngine = { wllama: () => host.wllama }; // diagnostics and tests, as in engine_mediapipe.js
}
