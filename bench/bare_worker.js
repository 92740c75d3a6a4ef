// The bench's bare MediaPipe *worker* page, written after MediaPipe's own js_worker sample: a
// classic worker loads the vendored genai_bundle.js with importScripts and posts every partial
// result to the page, which appends it to the DOM. No Python, no batching. Same model, prompt and
// options as the app (bench/decode.py passes them in the page's hash).
let llm = null;
let params = null;

function chunked(body, size = 64 * 1024) { // as the app: MediaPipe's sniffing races a small model's end
  const reader = body.getReader();
  let rest = new Uint8Array(0);
  return new ReadableStream({ async pull(c) {
    if (rest.length === 0) { const { value, done } = await reader.read(); if (done) return c.close(); rest = value; }
    c.enqueue(rest.subarray(0, size)); rest = rest.subarray(size);
  } });
}

onmessage = async ({ data }) => {
  try {
    if (data.type === "load") {
      params = data.params;
      const base = new URL(params.genai, data.page).href;
      importScripts(`${base}/genai_bundle.js`);
      const { FilesetResolver, LlmInference } = self.GenAI;
      const fileset = await FilesetResolver.forGenAiTasks(`${base}/wasm`);
      const adapter = await navigator.gpu.requestAdapter();
      const body = (await fetch(new URL(params.model, data.page))).body;
      llm = await LlmInference.createFromOptions(fileset, {
        baseOptions: { modelAssetBuffer: chunked(body).getReader() }, ...params.options,
        forceF32: !adapter.features.has("shader-f16"),
      });
      postMessage({ type: "ready" });
    } else if (data.type === "generate") {
      const text = await llm.generateResponse(params.prompt, (partial) => {
        if (partial) postMessage({ type: "partial", text: partial });
      });
      postMessage({ type: "done", tokens: llm.sizeInTokens(text) });
    }
  } catch (error) {
    postMessage({ type: "error", message: String(error?.stack ?? error) });
  }
};
