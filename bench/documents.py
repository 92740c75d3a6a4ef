"""Documents benchmark (issue #24): time to text of a 100-page PDF and a .docx in the app's
document reader (pwa/js/doc_reader.js: PDF.js and mammoth in a worker, as the app runs them),
median of N, and ranking recall@1 and @3 on the labelled questions of tests/unit/test_ranking.py,
BM25 (chat/ranking.py) against the old word overlap. Prints a table, writes
bench/out/documents.json. Never pass/fail: it reports.

Run: .venv/bin/python bench/documents.py [--runs 3] [--pages 100]
(`--build-only DIR` writes the reader's part of the site and the three files into DIR; `--site DIR`
then times them elsewhere, e.g. on the lent GPU machine, which lacks jinja2 and the PDF writers:
bench/gpu.md.)
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import tempfile
import time
from pathlib import Path

from harness import launch, machine, median, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread

# What the reader needs of the site (the rest, Pyodide and the engines, stays behind).
READER = ("config.json", "manifest.webmanifest", "js/doc_reader.js")

READ = """async ([kind, b64, paths]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], 'doc.' + kind);
  const started = performance.now();
  const worker = new Worker(new URL('js/doc_reader.js', location.href), {type: 'module'});
  return await new Promise((resolve) => {
    worker.onmessage = ({data}) => {
      if (data.type === 'progress') return;
      worker.terminate();
      resolve([performance.now() - started, data.type, (data.pages || []).length]);
    };
    worker.postMessage({kind, file, maxPages: 2000, pdfjs: new URL(paths.pdfjs, location.href).href,
                        mammoth: new URL(paths.mammoth + '/mammoth.browser.min.js', location.href).href});
  });
}"""


def time_to_text(site: Path, files: dict[str, Path], runs: int) -> tuple[dict[str, float], str]:
    """Median milliseconds from picking each file to its text, in a fresh worker each time."""
    paths = json.loads((site / "config.json").read_text())["paths"]
    server = start_in_thread(site)
    url = f"http://127.0.0.1:{server.server_port}/manifest.webmanifest"
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(url)
            found = {}
            for name, path in files.items():
                payload = [path.suffix[1:], base64.b64encode(path.read_bytes()).decode(), paths]
                found[name] = median([page.evaluate(READ, payload)[0] for _ in range(runs)])
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return found, version


def recalls() -> dict[str, dict[str, float]]:
    """Recall@1 and @3 per language (the same on any machine; needs pytest, for the labelled set)."""
    from tabula.chat import ranking
    from tests.unit.test_ranking import LABELLED, overlap_order, recall

    return {
        lang: {
            f"{how}@{k}": round(recall(order, lang, k), 2)
            for how, order in (("bm25", ranking.rank), ("overlap", overlap_order))
            for k in (1, 3)
        }
        for lang in sorted(LABELLED)
    }


def build_files(folder: Path, pages: int) -> tuple[Path, dict[str, Path]]:
    """The site and the three files, written into folder (needs jinja2, reportlab, python-docx)."""
    import build
    from tests import documents as made

    site = build.build(folder / "site")
    files = {
        f"{pages}-page PDF": made.long_pdf(folder / "report.pdf", pages),
        "7-page PDF": made.guide_pdf(folder / "guide.pdf"),
        "docx with headings": made.headed_docx(folder / "policy.docx"),
    }
    return site, files


def build_only(folder: Path, pages: int) -> None:
    """Only the reader's files of the site (small enough to carry), the files and their names."""
    site, files = build_files(folder / "full", pages)
    paths = json.loads((site / "config.json").read_text())["paths"]
    for part in (*READER, paths["pdfjs"], paths["mammoth"]):
        target = folder / "site" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (site / part).is_dir() else shutil.copy2
        copy(site / part, target)
    names = {name: path.name for name, path in files.items()}
    for path in files.values():
        shutil.copy2(path, folder / path.name)
    (folder / "files.json").write_text(json.dumps(names))
    shutil.rmtree(folder / "full")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="write the site and files into DIR and stop")
    parser.add_argument("--site", type=Path, metavar="DIR", help="a folder --build-only made")
    args = parser.parse_args()
    if args.build_only:
        return build_only(args.build_only, args.pages)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        if args.site:
            names = json.loads((args.site / "files.json").read_text())
            site, files = args.site / "site", {k: args.site / v for k, v in names.items()}
        else:
            site, files = build_files(Path(tmp), args.pages)
        timings, version = time_to_text(site, files, args.runs)
    print(table([["file", "time to text (ms, median)"], *[[k, f"{v:.0f}"] for k, v in timings.items()]]))
    found = {} if args.site else recalls()
    rows = [["language", "BM25 @1", "BM25 @3", "overlap @1", "overlap @3"]]
    rows += [
        [lang, *(f"{r[key]:.2f}" for key in ("bm25@1", "bm25@3", "overlap@1", "overlap@3"))]
        for lang, r in found.items()
    ]
    print(table(rows))
    data = {**machine(version), "runs": args.runs, "time_to_text_ms": timings, "recall": found,
            "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
    print(f"-> {save('documents', data)}")

if __name__ == "__main__":
    main()
