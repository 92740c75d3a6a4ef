// Engine host: wllama (@wllama/wllama, llama.cpp compiled to wasm, on the CPU) in its own
// dedicated *module* worker (wllama is an ES module), behind the same protocol as
// pwa/js/engine_mediapipe.js, so both engines look the same to Python. wllama computes in a
// worker it starts from here (a nested worker), and its own part (reading the model's Blob into
// the buffers it sends that worker, the token callbacks) runs here too: no model byte crosses the
// page. Terminating this worker ends wllama's with it (its heap and threads go at once). The
// messages are those of engine_mediapipe.js, plus `threads` and `nCtxTrain` in "loaded"'s info
// and the sampling options ({nPredict, temperature, topK}) in "generate". No prompt formatting,
// no queueing, no token budget: py/tabula/ owns those. The library is imported only when a GGUF
// model is loaded. Imported as a module (not as a worker), it only exports `threads`.

import { batcher, describe, fetched, storedFiles } from "./engine_common.js";

// Threads need SharedArrayBuffer, i.e. a cross-origin isolated page: there the multi-thread
// build runs on half the logical cores (wllama's own default; models/fit.py cpu_threads says
// the same to the Models page); elsewhere the single-thread build runs on one.
// (WebKit leaves SharedArrayBuffer undefined even on an isolated page: one thread there.)
export const threads = () =>
  self.crossOriginIsolated && typeof SharedArrayBuffer !== "undefined"
    ? Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / 2))
    : 1;

// The stored chunk Files joined into one Blob (a view over the files that copies nothing; several
// Blobs would mean several gguf-split shards to wllama), or the site's own copy.
async function modelBlob(source) {
  if (source.stored) return new Blob(await storedFiles(source.stored));
  return (await fetched(source.url)).blob();
}

class WllamaHost {
  constructor() {
    this.onmessage = null;
    this.wllama = null;
    this.abort = null;
    this.cached = ""; // the text wllama's cache holds: the last prompt and its answer
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
      case "generate": return { type: "done", text: await this.generate(data) };
      case "count": return { type: "counted", tokens: await this.count(data.text) };
      case "cancel": return this.abort?.abort(), null;
      case "unload": return await this.wllama?.exit(), (this.wllama = null), { type: "unloaded" };
      case "stats": return { type: "stats", requested: 0, destroyed: 0 };
      default: throw new Error(`unknown message ${data.type}`);
    }
  }

  // options: {maxTokens, randomSeed}. What runs comes back: {threads, multiThread, nCtxTrain}.
  async load({ base, source, options }) {
    self.document ??= { baseURI: self.location.href }; // wllama 2.4.0 resolves its wasm paths against it
    const { Wllama } = await import(`${base}/index.js`);
    const wllama = new Wllama(
      {
        "single-thread/wllama.wasm": `${base}/single-thread/wllama.wasm`,
        "multi-thread/wllama.wasm": `${base}/multi-thread/wllama.wasm`,
      },
      { suppressNativeLog: true, logger: { ...console, debug: () => {}, log: () => {} } },
    );
    this.wllama = wllama;
    try {
      const n_threads = threads();
      await wllama.loadModel([await modelBlob(source)], { n_ctx: options.maxTokens, seed: options.randomSeed, n_threads });
    } catch (error) {
      this.terminate();
      throw error;
    }
    const nCtxTrain = wllama.getModelMetadata().hparams.nCtxTrain;
    return { engine: "wllama", threads: wllama.getNumThreads(), multiThread: wllama.isMultithread(), nCtxTrain };
  }

  // A raw completion of `prompt` (already templated by the app; wllama applies no template).
  // cancel aborts it through its AbortSignal: wllama stops after the token in hand.
  async generate({ id, prompt, options }) {
    const batch = batcher((message) => this.send(message), id);
    const abort = (this.abort = new AbortController());
    let sent = 0;
    const onNewToken = (_token, _piece, currentText) => {
      // A piece may end inside a UTF-8 character: hold back a trailing U+FFFD until it completes.
      const whole = currentText.endsWith("\uFFFD") ? currentText.slice(0, -1) : currentText;
      batch.add(whole.slice(sent));
      sent = Math.max(sent, whole.length);
    };
    // wllama keeps the longest cached prefix and decodes only the rest; a prompt its cache holds
    // whole (Regenerate, a retry: the same prompt again) would decode nothing and sample from the
    // previous answer's last logits, so such a prompt is read afresh.
    const useCache = !this.cached.startsWith(prompt);
    this.cached = prompt; // at least, even if it is aborted
    try {
      const text = await this.wllama.createCompletion(prompt, {
        nPredict: options.nPredict,
        sampling: { temp: options.temperature, top_k: options.topK },
        useCache, // else reuse the cached prefix of the conversation
        abortSignal: abort.signal,
        onNewToken,
      });
      this.cached = prompt + text;
      return text;
    } catch (error) {
      if (error?.name === "AbortError") return ""; // aborted while reading the prompt
      throw error;
    } finally {
      batch.end();
    }
  }

  // Tokens `text` is for this model, with the BOS token the model adds in front of a prompt.
  async count(text) {
    const tokens = await this.wllama.tokenize(text, true);
    return tokens.length + (this.wllama.mustAddBosToken() ? 1 : 0);
  }

  // Abort what runs and end wllama's worker at once. wllama 2.4.0 has no public way: exit()
  // waits for the worker's answer, which a stuck worker never sends, so this reaches its
  // (pinned) proxy's worker.
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
}
