// The bench's bare MediaPipe page: the vendored bundle, no Python. Same model, prompt and
// options as the app; tokens appended to the DOM per callback, as MediaPipe's own sample does.
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const base = new URL(params.genai, location.href).href;
const { LlmInference } = await import(`${base}/genai_bundle.mjs`);
const adapter = await navigator.gpu.requestAdapter();
// Same work-around as pwa/js/llm.js: small chunks keep MediaPipe's format sniffing from racing
// the end of a small model's stream.
function chunked(body, size = 64 * 1024) {
  const reader = body.getReader();
  let rest = new Uint8Array(0);
  return new ReadableStream({ async pull(c) {
    if (rest.length === 0) { const { value, done } = await reader.read(); if (done) return c.close(); rest = value; }
    c.enqueue(rest.subarray(0, size)); rest = rest.subarray(size);
  } });
}
const body = (await fetch(new URL(params.model, location.href))).body;
const llm = await LlmInference.createFromOptions(
  { wasmLoaderPath: `${base}/wasm/genai_wasm_internal.js`, wasmBinaryPath: `${base}/wasm/genai_wasm_internal.wasm` },
  { baseOptions: { modelAssetBuffer: chunked(body).getReader() }, ...params.options,
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
