// The document reader (issue #24): a dedicated module worker that hosts PDF.js and mammoth and
// turns one picked File into plain values. It decides nothing: Python (tabula/docs) checks the
// file's kind and size first and owns the document model, the limits and every sentence shown.
// Python ends this worker (terminate) to cancel a read; one worker per file.
//
// In:  {kind: "pdf" | "docx", file: File, maxPages, pdfjs: folder URL, mammoth: script URL}
//      {kind: "draw", file: File, page, maxSide, pdfjs}  (a scanned page as a picture: issue #24)
// Out: {type: "progress", done, total}
//      {type: "pdf", pages: [text of page 1, ...]}
//      {type: "docx", html}                      (mammoth's HTML: Python cuts it at headings)
//      {type: "image", image: Blob, width, height} (the page drawn: a JPEG, longest side maxSide)
//      {type: "error", name, message, pages}     (name: PDF.js's exception name, or "Error")
//
// PDF.js runs with its own worker (GlobalWorkerOptions.workerSrc: our copy, a worker nested in this
// one). Reading text needs none of the files it would otherwise fetch: no cMaps (only CJK fonts
// without Unicode maps need them; Tabula's languages are Latin) and no standard font data.
// Drawing a scanned page (Python asks one page at a time; the file is opened at the first and
// kept while this worker lives: Python ends it when the pages are done or Cancel is pressed)
// paints on an OffscreenCanvas (a worker has no document: PDF.js gets a canvas factory of
// OffscreenCanvases and no SVG filters) and encodes a JPEG; the image decoders scans use, JPEG
// 2000 and JBIG2, come from our copies of PDF.js's wasm (wasmUrl). Nothing is fetched from a CDN.

const post = (message) => self.postMessage(message);

// The PDF.js module and the document `file` holds (`options` added to getDocument's).
async function openPdf(file, folder, options = {}) {
  const pdfjs = await import(`${folder}/legacy/build/pdf.min.mjs`);
  pdfjs.GlobalWorkerOptions.workerSrc = `${folder}/legacy/build/pdf.worker.min.mjs`;
  // PDF.js would look for window.location to start its worker; a worker has none, so we start it
  // (nested in this one, ended with it) and hand it over as the port.
  const port = new Worker(pdfjs.GlobalWorkerOptions.workerSrc, {type: "module"});
  const worker = new pdfjs.PDFWorker({port, verbosity: pdfjs.VerbosityLevel.ERRORS});
  const data = new Uint8Array(await file.arrayBuffer());
  const task = pdfjs.getDocument({
    data, worker, isEvalSupported: false, useSystemFonts: false, disableFontFace: true,
    stopAtErrors: false, verbosity: pdfjs.VerbosityLevel.ERRORS, ...options,
  });
  return {pdfjs, doc: await task.promise};
}

async function readPdf(file, maxPages, folder) {
  const {doc} = await openPdf(file, folder);
  try {
    const total = doc.numPages;
    if (total > maxPages) return post({type: "error", name: "TooManyPages", message: "", pages: total});
    const pages = [];
    for (let n = 1; n <= total; n += 1) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => (item.str ?? "") + (item.hasEOL ? "\n" : "")).join(""));
      page.cleanup();
      post({type: "progress", done: n, total});
    }
    post({type: "pdf", pages});
  } finally {
    await doc.destroy();
  }
}

// Canvases PDF.js draws on in a worker (its default makes them with document.createElement).
class OffscreenCanvases {
  create(width, height) {
    const canvas = new OffscreenCanvas(width, height);
    return {canvas, context: canvas.getContext("2d", {willReadFrequently: true})};
  }
  reset(entry, width, height) {
    entry.canvas.width = width;
    entry.canvas.height = height;
  }
  destroy(entry) {
    entry.canvas.width = entry.canvas.height = 0;
    entry.canvas = entry.context = null;
  }
}

// No SVG filters in a worker (they need a document): PDF.js then draws without them, as it does
// where a browser has none (transfer functions and high-contrast colours are left out).
class NoFilters {
  addFilter() { return "none"; }
  addHCMFilter() { return "none"; }
  addAlphaFilter() { return "none"; }
  addLuminosityFilter() { return "none"; }
  addHighlightHCMFilter() { return "none"; }
  destroy() {}
}

let drawing = null; // Promise of {pdfjs, doc}: the file drawn from, opened at its first page

async function drawPage({file, page, maxSide, pdfjs: folder}) {
  drawing ??= openPdf(file, folder, {
    CanvasFactory: OffscreenCanvases, FilterFactory: NoFilters, isOffscreenCanvasSupported: true,
    wasmUrl: `${folder}/wasm/`,
  });
  const {doc} = await drawing;
  const sheet = await doc.getPage(page);
  try {
    const natural = sheet.getViewport({scale: 1});
    const viewport = sheet.getViewport({scale: maxSide / Math.max(natural.width, natural.height)});
    const canvas = new OffscreenCanvas(Math.max(1, Math.floor(viewport.width)), Math.max(1, Math.floor(viewport.height)));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a JPEG has no transparency: the paper is white
    context.fillRect(0, 0, canvas.width, canvas.height);
    await sheet.render({canvasContext: context, canvas, viewport}).promise;
    const image = await canvas.convertToBlob({type: "image/jpeg", quality: 0.9});
    post({type: "image", image, width: canvas.width, height: canvas.height});
  } finally {
    sheet.cleanup();
  }
}

async function readDocx(file, script) {
  if (!self.mammoth) await import(script);  // its browser build sets self.mammoth
  post({type: "progress", done: 0, total: 1});
  const result = await self.mammoth.convertToHtml({arrayBuffer: await file.arrayBuffer()});
  post({type: "progress", done: 1, total: 1});
  post({type: "docx", html: result.value});
}

self.onmessage = async ({data}) => {
  try {
    if (data.kind === "pdf") await readPdf(data.file, data.maxPages, data.pdfjs);
    else if (data.kind === "draw") await drawPage(data);
    else await readDocx(data.file, data.mammoth);
  } catch (error) {
    post({type: "error", name: String(error?.name || "Error"), message: String(error?.message || error), pages: 0});
  }
};
