// The probe's worker half: LiteRT-LM (CPU backend) in a module worker, each delta posted the
// moment the wasm hands it over, so the page can time when deltas really arrive. With
// `cancelAt` it calls cancelProcess() from inside the callback after that many deltas.
const post = (kind, extra = {}) => self.postMessage({ kind, ...extra });

self.onmessage = async ({ data }) => {
  try {
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
      if (error) return post("error", { error: String(error) });
      if (!chunk) return;
      n += 1;
      post("delta", { n });
      if (n === data.cancelAt) chat.conversation.cancelProcess();
    });
    await engine.engine.waitUntilDone();
    post("done", { n, tokens: chat.conversation.getTokenCount() });
  } catch (e) {
    post("error", { error: e && e.stack ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
  }
};
