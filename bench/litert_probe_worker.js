// The probe's worker half: LiteRT-LM (CPU backend) in a module worker, each delta posted the
// moment the wasm hands it over, so the page can time when deltas really arrive. With
// `cancelAt` it calls cancelProcess() from inside the callback after that many deltas.
const post = (kind, extra = {}) => self.postMessage({ kind, ...extra });

// @litertjs/wasm-utils 2.5.3 loads the wasm glue with importScripts() whenever it exists, and a
// module worker's importScripts() always throws ("Module scripts don't support importScripts()").
// Probe-only stand-in: fetch the classic script synchronously and run it globally. The glue then
// looks for its .wasm beside the worker, so Module.locateFile points it at the vendored folder.
function classicScripts(base) {
  self.importScripts = (url) => {
    const request = new XMLHttpRequest();
    request.open("GET", url, false);
    request.send();
    (0, eval)(request.responseText);
  };
  self.Module = { locateFile: (name) => `${base}/wasm/${name}` };
}

self.onmessage = async ({ data }) => {
  try {
    classicScripts(data.base);
    const lm = await import(`${data.base}/dist/index.js`);
    await lm.loadLiteRtLm(`${data.base}/wasm/`);
    const engine = await lm.Engine.create({ model: data.model, backend: lm.Backend.CPU,
      mainExecutorSettings: { maxNumTokens: 256 } });
    const chat = await engine.createConversation({ sessionConfig: data.session });
    post("ready");
    let n = 0;
    const message = JSON.stringify({ role: "user", content: data.prompt });
    // The raw binding under Conversation.sendMessageStreaming (dist/conversation.js).
    await chat.conversation.sendMessageAsync(message, (chunk, isDone, error) => {
      if (error && data.cancelAt && n >= data.cancelAt) return post("cancelled", { n, said: String(error) });
      if (error) return post("error", { error: String(error) });
      if (!chunk) return;
      n += 1;
      post("delta", { n });
      if (n === data.cancelAt) chat.conversation.cancelProcess();
    });
    await engine.engine.waitUntilDone();
    post("done", { n, tokens: chat.conversation.getTokenCount() });
    post("end");
  } catch (e) {
    post("error", { error: e && e.stack ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
  }
};
