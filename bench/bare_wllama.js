// The bench's bare wllama page: the vendored module, no Python. Same model, prompt and options as
// the app's CPU engine (one Blob, n_ctx = maxTokens, raw completion of the rendered prompt).
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const base = new URL(params.wllama, location.href).href;
const { Wllama } = await import(`${base}/index.js`);
const wllama = new Wllama(
  { "single-thread/wllama.wasm": `${base}/single-thread/wllama.wasm`, "multi-thread/wllama.wasm": `${base}/multi-thread/wllama.wasm` },
  { suppressNativeLog: true, logger: { ...console, debug: () => {}, log: () => {} } },
);
const blob = await (await fetch(new URL(params.model, location.href))).blob();
const threads = self.crossOriginIsolated ? Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)) : 1; // as the app
await wllama.loadModel([blob], { n_ctx: params.options.maxTokens, seed: params.options.randomSeed, n_threads: threads });
const out = document.getElementById("out");
window.runOnce = async () => {
  out.textContent = "";
  const marks = { t0: performance.now(), first: null, last: null, tokens: 0 };
  const used = (await wllama.tokenize(params.prompt, true)).length + 1;
  let shown = 0;
  await wllama.createCompletion(params.prompt, {
    nPredict: params.options.maxTokens - used,
    sampling: { temp: params.options.temperature, top_k: params.options.topK },
    useCache: true,
    onNewToken: (token, piece, text) => {
      const now = performance.now();
      marks.first ??= now;
      marks.last = now;
      marks.tokens++;
      out.textContent += text.slice(shown);
      shown = text.length;
    },
  });
  return marks;
};
document.documentElement.dataset.ready = "true";
