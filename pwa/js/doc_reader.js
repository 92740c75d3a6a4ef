// The document reader (issue #24): a dedicated module worker that hosts PDF.js and mammoth and
// turns one picked File into plain values. It decides nothing: Python (tabula/docs) checks the
// file's kind and size first and owns the document model, the limits and every sentence shown.
// Python ends this worker (terminate) to cancel a read; one worker per file.
//
// In:  {kind: "pdf" | "docx", file: File, maxPages, pdfjs: folder URL, mammoth: script URL}
// Out: {type: "progress", done, total}
//      {type: "pdf", pages: [text of page 1, ...]}
//      {type: "docx", html}                      (mammoth's HTML: Python cuts it at headings)
//      {type: "error", name, message, pages}     (name: PDF.js's exception name, or "Error")
//
// PDF.js runs with its own worker (GlobalWorkerOptions.workerSrc: our copy, a worker nested in this
// one) and reads text only, so it needs none of the files it would otherwise fetch: no cMaps
// (only CJK fonts without Unicode maps need them; Tabula's languages are Latin), no standard font
// data and no image-decoder wasm (both are for drawing pages). Nothing is fetched from a CDN.

const post = (message) => self.postMessage(message);

async function readPdf(file, maxPages, folder) {
  const pdfjs = await import(`${folder}/legacy/build/pdf.min.mjs`);
  pdfjs.GlobalWorkerOptions.workerSrc = `${folder}/legacy/build/pdf.worker.min.mjs`;
  // PDF.js would look for window.location to start its worker; a worker has none, so we start it
  // (nested in this one, ended with it) and hand it over as the port.
  const port = new Worker(pdfjs.GlobalWorkerOptions.workerSrc, {type: "module"});
  const worker = new pdfjs.PDFWorker({port, verbosity: pdfjs.VerbosityLevel.ERRORS});
  const data = new Uint8Array(await file.arrayBuffer());
  const task = pdfjs.getDocument({
    data, worker, isEvalSupported: false, useSystemFonts: false, disableFontFace: true,
    stopAtErrors: false, verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  const doc = await task.promise;
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
    else await readDocx(data.file, data.mammoth);
  } catch (error) {
    post({type: "error", name: String(error?.name || "Error"), message: String(error?.message || error), pages: 0});
  }
};
