// The LiteRT-LM probe page: @litert-lm/core from our own vendored copy, no Python, no app.
// Each step appends {step, ok, ms, detail} to window.__probe.steps; errors are kept verbatim.
// bench/litert_probe.py builds the page, serves it and prints what happened.
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const probe = (window.__probe = { steps: [], done: false });
const log = (step, ok, t0, detail) => probe.steps.push({ step, ok, ms: Math.round(performance.now() - t0), detail: String(detail) });
// Step results go to Python as text: plain objects as JSON, class instances as their class name.
function shown(v) {
  if (v === undefined || v === null) return "";
  if (typeof v !== "object") return String(v);
  if (Object.getPrototypeOf(v) !== Object.prototype && !Array.isArray(v)) return `<${v.constructor?.name ?? "object"}>`;
  try { return JSON.stringify(v); } catch (e) { return `<unprintable: ${e.message}>`; }
}
const verbatim = (e) => (e && e.stack ? `${e.name}: ${e.message}\n${e.stack}` : String(e));

async function step(name, fn) {
  const t0 = performance.now();
  try {
    probe.current = name;
    const detail = await fn();
    log(name, true, t0, shown(detail));
    return detail;
  } catch (e) {
    log(name, false, t0, verbatim(e));
    return undefined;
  }
}

async function environment() {
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
  const info = adapter ? adapter.info || {} : {};
  return {
    webgpu: Boolean(adapter),
    adapter: adapter ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : "none",
    fallback: adapter ? Boolean(info.isFallbackAdapter) : null,
    features: adapter ? [...adapter.features].sort() : [],
    jspi: "Suspending" in WebAssembly,
    crossOriginIsolated: self.crossOriginIsolated,
  };
}

// Read a ReadableStream of message chunks, noting the time of each; stop after `stopAfter`.
// `ticks` counts a 10 ms timer while the stream runs: near lastMs/10 means the page stayed
// responsive, near 0 means generation held the main thread.
async function drain(stream, stopAfter = Infinity) {
  const t0 = performance.now();
  const chunks = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  for await (const chunk of stream) {
    const text = (chunk.content || []).filter((c) => c.type === "text").map((c) => c.text).join("");
    chunks.push({ ms: Math.round(performance.now() - t0), text, raw: chunks.length < 3 ? chunk : undefined });
    if (chunks.length >= stopAfter) break;
  }
  clearInterval(timer);
  const last = chunks.length ? chunks[chunks.length - 1].ms : null;
  return { chunks: chunks.length, lastMs: last, ticks, text: chunks.map((c) => c.text).join(""), first: chunks.slice(0, 3) };
}

// conversation.cancel() once the first chunk is in: how many chunks still come, and how it ends.
async function cancelMidway(chat) {
  let chunks = 0;
  let after = 0;
  try {
    for await (const _ of chat.sendMessageStreaming(params.prompt)) {
      if (chunks++ === 0) chat.cancel();
      else after++;
    }
  } catch (e) {
    return { chunks, after, ended: verbatim(e) };
  }
  return { chunks, after, ended: "stream closed" };
}

// 0.17.1's CPU sampler is top-p only: GREEDY and TOP_K fail with "Sampler type: 3 (1) not
// implemented yet." Top-p with k 1 is greedy.
const sessionSettings = (lm) => ({
  samplerParams: { type: lm.SamplerType.TOP_P, k: 1, p: 1, temperature: 1, seed: 1 }, maxOutputTokens: params.maxTokens });

async function conversation(lm, engine, label) {
  const sessionConfig = sessionSettings(lm);
  const chat = await step(`${label}: createConversation`, () => engine.createConversation({ sessionConfig }));
  if (!chat) return;
  await step(`${label}: sendMessage`, async () => JSON.stringify(await chat.sendMessage(params.prompt)));
  await step(`${label}: getTokenCount`, () => chat.getTokenCount());
  await step(`${label}: getHistory`, async () => JSON.stringify(await chat.getHistory()).slice(0, 600));
  await step(`${label}: sendMessageStreaming`, () => drain(chat.sendMessageStreaming(params.prompt)));
  await step(`${label}: cancel after 3 chunks (break)`, () => drain(chat.sendMessageStreaming(params.prompt), 3));
  await step(`${label}: cancel() after the first chunk`, () => cancelMidway(chat));
  await step(`${label}: getTokenCount after cancel()`, () => chat.getTokenCount());
  await step(`${label}: usable after cancel`, () => drain(chat.sendMessageStreaming("Again."), 2));
  await step(`${label}: getTokenCount after`, () => chat.getTokenCount());
  await step(`${label}: getBenchmarkInfo`, async () => {
    const b = await chat.getBenchmarkInfo();
    const keys = ["lastPrefillTokensPerSecond", "lastPrefillTokenCount", "lastDecodeTokensPerSecond",
      "lastDecodeTokenCount", "timeToFirstTokenInSecond"];
    return Object.fromEntries(keys.map((k) => [k, b?.[k]]));
  });
  await step(`${label}: conversation.delete`, () => chat.delete());
}

async function constrained(lm, engine, label) {
  const tool = { name: "answer", description: "Give the answer.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
  const chat = await step(`${label}: createConversation (constrained, 1 tool)`, () =>
    engine.createConversation({ enableConstrainedDecoding: true, preface: { tools: [tool] },
      sessionConfig: sessionSettings(lm) }));
  if (!chat) return;
  await step(`${label}: constrained sendMessage`, async () => JSON.stringify(await chat.sendMessage(params.prompt)));
  await step(`${label}: constrained delete`, () => chat.delete());
}

async function session(lm, engine, label) {
  const s = await step(`${label}: createSession (raw prompt, no template)`, () =>
    engine.createSession(sessionSettings(lm)));
  if (!s) return;
  await step(`${label}: session.runPrefill`, () => s.runPrefill([params.prompt]));
  await step(`${label}: session.runDecode`, async () => (await s.runDecode()).getTexts());
  await step(`${label}: session.delete`, () => s.delete());
}

async function backend(lm, name) {
  const label = `backend ${name}`;
  const settings = { model: new URL(params.model, location.href).href, backend: lm.Backend[name],
    mainExecutorSettings: { maxNumTokens: params.maxNumTokens }, benchmarkEnabled: true };
  const engine = await step(`${label}: Engine.create`, () => lm.Engine.create(settings));
  if (!engine) return false;
  await step(`${label}: engine settings`, () => JSON.stringify(engine.settings, (k, v) => (k === "model" ? undefined : v)));
  await conversation(lm, engine, label);
  await session(lm, engine, label);
  await constrained(lm, engine, label);
  await step(`${label}: engine.delete`, () => engine.delete());
  return true;
}

// The worker half: when do its deltas reach this page, and does cancelProcess() from inside
// the callback stop the generation? Times are this page's, when each message arrived.
function inWorker(lm, base, cancelAt) {
  const worker = new Worker(new URL("./litert_probe_worker.js", location.href), { type: "module" });
  const t0 = performance.now();
  const seen = { ready: null, deltas: [], done: null, error: null, ticks: 0 };
  const timer = setInterval(() => seen.ticks++, 10);
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearInterval(timer);
      worker.terminate();
      if (seen.error) reject(new Error(`worker: ${JSON.stringify(seen.error)}`));
      else resolve(summarise(seen));
    };
    worker.onerror = (e) => { seen.error = `worker error: ${e.message}`; finish(); };
    worker.onmessage = ({ data }) => {
      const ms = Math.round(performance.now() - t0);
      if (data.kind === "ready") seen.ready = ms;
      if (data.kind === "delta") seen.deltas.push(ms);
      if (data.kind === "cancelled") seen.cancelled = { ms, ...data };
      if (data.kind === "done") seen.done = { ms, ...data };
      if (data.kind === "error") seen.error = { ms, ...data };
      if (data.kind === "end" || data.kind === "error") finish();
    };
    worker.postMessage({ base, model: new URL(params.model, location.href).href, prompt: params.prompt,
      session: sessionSettings(lm), cancelAt });
    setTimeout(() => { seen.error ??= "no answer in 240 s"; finish(); }, 240_000);
  });
}

function summarise(seen) {
  const d = seen.deltas;
  return { ...seen, deltas: d.length, firstDeltaMs: d[0] ?? null, lastDeltaMs: d[d.length - 1] ?? null,
    sample: d.slice(0, 5) };
}

async function main() {
  await step("environment", environment);
  const base = new URL(params.litert, location.href).href;
  const lm = await step("import @litert-lm/core", () => import(`${base}/dist/index.js`));
  if (!lm) return;
  const wasm = params.wasmFile ? `${base}/wasm/${params.wasmFile}` : `${base}/wasm/`;
  if (!(await step(`loadLiteRtLm(${wasm})`, async () => { await lm.loadLiteRtLm(wasm); return "loaded"; }))) return;
  await step("wasm files fetched", () => performance.getEntriesByType("resource")
    .map((e) => e.name).filter((n) => n.includes("/wasm/")).map((n) => n.split("/").pop()));
  for (const name of params.backends) await backend(lm, name);
  if (params.worker) {
    await step("worker: CPU backend, live deltas?", () => inWorker(lm, base, 0));
    await step("worker: cancelProcess() inside the callback after 3 deltas", () => inWorker(lm, base, 3));
  }
}

main().catch((e) => log("probe crashed", false, 0, verbatim(e))).finally(() => { probe.done = true; });
