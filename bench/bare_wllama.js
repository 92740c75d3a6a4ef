// The bench's bare wllama page: the vendored module, no Python. Same model, prompt and options as
// the app's CPU engine (one Blob, n_ctx = maxTokens, raw completion of the rendered prompt).
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const base = new URL(params.wllama, location.href).href;
const { Wllama } = await import(`${base}/index.js`);
const wllama = new Wllama({ default: `${base}/wasm/wllama.wasm` }, { suppressNativeLog: true, logger: { ...console, debug: () => {}, log: () => {} } });
wllama.setCompat({ wasm: `${base}/compat/wllama.wasm`, worker: `${base}/compat/wllama.js` });
const blob = await (await fetch(new URL(params.model, location.href))).blob();
const threads = self.crossOriginIsolated && typeof SharedArrayBuffer !== "undefined" ? Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)) : 1; // as the app
await wllama.loadModel([blob], { n_ctx: params.options.maxTokens, n_threads: threads, n_gpu_layers: 0, n_batch: 128 });
const out = document.getElementById("out");
window.runOnce = async () => {
  out.textContent = "";
  const marks = { t0: performance.now(), first: null, last: null, tokens: 0 };
  // wllama 3 has no tokenize: llama.cpp counts the prompt (kept for the answer), as the app does
  const counted = await wllama.createCompletion({ prompt: params.prompt, max_tokens: 1, temperature: 0, cache_prompt: true });
  await wllama.createCompletion({
    prompt: params.prompt, max_tokens: params.options.maxTokens - counted.usage.prompt_tokens,
    temperature: params.options.temperature, top_k: params.options.topK, seed: params.options.randomSeed,
    cache_prompt: true, stream: true,
    onData: (chunk) => {
      const piece = chunk.choices?.[0]?.text;
      if (!piece) return;
      const now = performance.now();
      marks.first ??= now;
      marks.last = now;
      marks.tokens++;
      out.textContent += piece;
    },
  });
  return marks;
};
document.documentElement.dataset.ready = "true";
