// Thin shim over @wllama/wllama (llama.cpp compiled to wasm, on the CPU): plain values in and out.
// No prompt formatting, no queueing, no token budget: py/tabula/browser/wllama.py and
// py/tabula/engine/ own those. The library is imported only when a GGUF model is loaded.

const libraries = new Map();
let lastEngine = null;

function library(base) {
  if (!libraries.has(base)) libraries.set(base, import(`${base}/index.js`));
  return libraries.get(base);
}

// Threads need SharedArrayBuffer, i.e. a cross-origin isolated page: there the multi-thread
// build runs on half the logical cores (wllama's own default; models/fit.py cpu_threads says
// the same to the Models page); elsewhere the single-thread build runs on one.
export const threads = () =>
  self.crossOriginIsolated ? Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / 2)) : 1;

// source: {files} (the stored chunk Files, in order) or {url} (the site's own copy). The chunks
// are joined into one Blob, a view over the files that copies nothing; wllama streams it into
// its wasm heap. (Several Blobs would mean several gguf-split shards to wllama.)
async function modelBlob(source) {
  if (source.files) return new Blob(source.files);
  const response = await fetch(source.url);
  if (!response.ok) throw new Error(`Failed to fetch model: HTTP ${response.status} for ${source.url}`);
  return response.blob();
}

// options: {maxTokens, randomSeed, threads}. Resolves with the loaded Wllama.
export async function create(base, source, options) {
  const { Wllama } = await library(base);
  const wllama = new Wllama(
    {
      "single-thread/wllama.wasm": `${base}/single-thread/wllama.wasm`,
      "multi-thread/wllama.wasm": `${base}/multi-thread/wllama.wasm`,
    },
    { suppressNativeLog: true, logger: { ...console, debug: () => {}, log: () => {} } },
  );
  try {
    await wllama.loadModel([await modelBlob(source)], {
      n_ctx: options.maxTokens,
      seed: options.randomSeed,
      n_threads: options.threads || threads(),
    });
  } catch (error) {
    await wllama.exit().catch(() => {});
    throw error;
  }
  lastEngine = wllama;
  return wllama;
}

// What runs: {threads, multiThread, nCtxTrain} (after loading).
export function info(wllama) {
  return {
    threads: wllama.getNumThreads(),
    multiThread: wllama.isMultithread(),
    nCtxTrain: wllama.getModelMetadata().hparams.nCtxTrain,
  };
}

// Generates a raw completion of `prompt` (already templated by the app; wllama applies no chat
// template), buffering the text deltas for take(); resolves with the whole text. cancel() aborts
// it through its AbortSignal: wllama stops after the token in hand and resolves with the text.
const streams = new WeakMap(); // wllama -> its running (or last) generation
export function generate(wllama, prompt, options) {
  const stream = { text: "", sent: 0, first: null, last: performance.now(), live: true, abort: new AbortController() };
  streams.set(wllama, stream);
  const onNewToken = (token, piece, currentText) => {
    if (!stream.live) return;
    // A piece may end inside a UTF-8 character: hold back a trailing U+FFFD until it completes.
    const whole = currentText.endsWith("\uFFFD") ? currentText.slice(0, -1) : currentText;
    stream.text += whole.slice(stream.sent);
    stream.sent = Math.max(stream.sent, whole.length);
    stream.last = performance.now();
    stream.first ??= stream.last;
  };
  return wllama
    .createCompletion(prompt, {
      nPredict: options.nPredict,
      sampling: { temp: options.temperature, top_k: options.topK },
      useCache: true, // reuse the cached prefix of the conversation
      abortSignal: stream.abort.signal,
      onNewToken,
    })
    .catch((error) => {
      if (error?.name === "AbortError") return ""; // aborted while reading the prompt
      throw error;
    })
    .finally(() => {
      stream.live = false;
      stream.last = performance.now();
    });
}

// What the generation wrote since the last take: [text, ms since its last activity, ms since its
// first delta or -1]. The buffer is emptied.
export function take(wllama) {
  const stream = streams.get(wllama);
  const now = performance.now();
  if (!stream) return ["", 0, -1];
  const text = stream.text;
  stream.text = "";
  return [text, now - stream.last, stream.first === null ? -1 : now - stream.first];
}

// Tokens `text` is for this model, with the BOS token the model adds in front of a prompt.
export async function countTokens(wllama, text) {
  const tokens = await wllama.tokenize(text, true);
  return tokens.length + (wllama.mustAddBosToken() ? 1 : 0);
}

export const cancel = (wllama) => streams.get(wllama)?.abort.abort();

// Unload the model and end its worker (its wasm heap goes with it).
export async function close(wllama) {
  if (lastEngine === wllama) lastEngine = null;
  await wllama.exit();
}

// Free an engine that is busy or stuck: abort what runs and terminate its worker at once (its
// threads and heap go with it). wllama 2.4.0 has no public way: exit() waits for the worker's
// answer, which a stuck worker never sends, so this reaches its (pinned) proxy's worker.
export function destroy(wllama) {
  cancel(wllama);
  if (lastEngine === wllama) lastEngine = null;
  wllama.proxy?.worker?.terminate();
}

// The newest engine (for diagnostics and tests).
export const current = () => lastEngine;
