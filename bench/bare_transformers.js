// The bench's bare Transformers.js worker page (issue #25): a module worker that loads the same
// model set with the vendored Transformers.js (same backend, dtype and ORT wasm as the app's
// engine_transformers.js), reads the same photo, runs processor(prompt, [image]) and generate()
// with a streamer that posts every new piece of text. No Python, no batching, no IndexedDB.
// bench/photo.py passes {transformers, ort, model, photo, prompt, device, dtype, maxNew} in
// the page's hash; bare_transformers_page.js starts it and times it.
let tf = null;
let model = null;
let processor = null;
let params = null;

async function load(page) {
  const at = (path) => new URL(path, page).href;
  tf = await import(`${at(params.transformers)}/dist/transformers.min.js`);
  const folder = new URL(params.model, page).pathname.replace(/\/+$/, "");
  Object.assign(tf.env, { allowRemoteModels: false, allowLocalModels: true, useBrowserCache: false, useWasmCache: false });
  tf.env.localModelPath = `${folder.slice(0, folder.lastIndexOf("/"))}/`;
  tf.env.backends.onnx.wasm.wasmPaths = { mjs: `${at(params.ort)}/ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${at(params.ort)}/ort-wasm-simd-threaded.asyncify.wasm` };
  tf.env.backends.onnx.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)) : 1; // as the app
  const id = folder.slice(folder.lastIndexOf("/") + 1);
  processor = await tf.AutoProcessor.from_pretrained(id);
  model = await tf.Gemma4ForConditionalGeneration.from_pretrained(id, { device: params.device, dtype: params.dtype });
  params.photoUrl = at(params.photo);
}

async function generate() {
  const image = await tf.RawImage.fromBlob(await (await fetch(params.photoUrl)).blob());
  const inputs = await processor(params.prompt, [image]);
  let tokens = 0;
  const streamer = new tf.TextStreamer(processor.tokenizer, { skip_prompt: true, skip_special_tokens: true,
    callback_function: (text) => postMessage({ type: "partial", text }),
    token_callback_function: () => tokens++ || postMessage({ type: "first" }) }); // TextStreamer waits for a word
  await model.generate({ ...inputs, do_sample: false, max_new_tokens: params.maxNew, streamer });
  return tokens;
}

onmessage = async ({ data }) => {
  try {
    if (data.type === "load") {
      params = data.params;
      await load(data.page);
      postMessage({ type: "ready" });
    } else if (data.type === "generate") {
      postMessage({ type: "done", tokens: await generate() });
    }
  } catch (error) {
    postMessage({ type: "error", message: String(error?.stack ?? error) });
  }
};
