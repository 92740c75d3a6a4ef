// The bench's bare MediaPipe page: the vendored bundle, no Python. Same model, prompt and
// options as the app; tokens appended to the DOM per callback, as MediaPipe's own sample does.
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const base = new URL(params.genai, location.href).href;
const { LlmInference } = await import(`${base}/genai_bundle.mjs`);
const adapter = await navigator.gpu.requestAdapter();
const llm = await LlmInference.createFromOptions(
  { wasmLoaderPath: `${base}/wasm/genai_wasm_internal.js`, wasmBinaryPath: `${base}/wasm/genai_wasm_internal.wasm` },
  { baseOptions: { modelAssetPath: new URL(params.model, location.href).href }, ...params.options,
    forceF32: !adapter.features.has("shader-f16") },
);
const out = document.getElementById("out");
window.runOnce = async () => {
  out.textContent = "";
  const marks = { t0: performance.now(), first: null, last: null };
  const text = await llm.generateResponse(params.prompt, (partial) => {
    if (!partial) return;
    const now = performance.now();
    marks.first ??= now;
    marks.last = now;
    out.textContent += partial;
  });
  return { ...marks, tokens: llm.sizeInTokens(text) };
};
document.documentElement.dataset.ready = "true";
