// The page of bench/bare_transformers.js: starts the module worker, appends each piece of text to
// the DOM as it arrives, and times it from the ask (the photo read and processed included) to
// the first and last piece (window.runOnce, as bench/bare_worker_page.js).
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const worker = new Worker("./bare_transformers.js", { type: "module" });
const out = document.getElementById("out");
let run = null;
worker.onmessage = ({ data }) => {
  if (data.type === "ready") document.documentElement.dataset.ready = "true";
  else if (data.type === "error") console.error("bare worker:", data.message);
  else if (data.type === "first") run.first ??= performance.now();
  else if (data.type === "partial") {
    const now = performance.now();
    run.first ??= now;
    run.last = now;
    out.textContent += data.text;
  } else if (data.type === "done") run.resolve({ t0: run.t0, first: run.first, last: run.last, tokens: data.tokens });
};
worker.postMessage({ type: "load", params, page: location.href });
window.runOnce = () =>
  new Promise((resolve) => {
    out.textContent = "";
    run = { t0: performance.now(), first: null, last: null, resolve };
    worker.postMessage({ type: "generate" });
  });
