"""Model storage benchmark: loading from device storage vs loopback HTTP, memory while loading,
and bytes fetched again after dropped connections.

1. The app downloads the model into OPFS from a local model server (through the Models page).
2. Load time: MediaPipe's LlmInference is created N times alternately from the stored copy
   (the app's path: OPFS chunk files read as one stream) and from the same file over loopback
   HTTP (llm.js's URL path), through the app's own shims. Goal: storage <= 1.1x HTTP.
3. Memory: the page's JS heap (sampled every 10 ms) and the renderer processes' RSS (every
   20 ms) during each load; peak minus the steady state (model loaded and idle), as a share of the model's bytes. Goal: <= 10 %. (With SwiftShader the
   weights live in the GPU process; that is reported apart.)
4. Drops: a fresh download with the connection cut at three offsets; bytes served again after
   each cut (cut offset minus the next Range start). Goal: <= one chunk.

Prints a table, writes bench/out/models.json. Never pass/fail: it reports.
Run: .venv/bin/python bench/models.py [--model real|tiny] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from pathlib import Path

from harness import launch, machine, median, save, table
from playwright.sync_api import Page, sync_playwright

import build
from devserver import start_in_thread
from site_models import DEFAULT_CHUNK
from tests.browser.conftest import MODELS, catalog_file, project_model
from tests.browser.downloading import card, records, wait_stored
from tests.browser.modelserver import ModelServer
from tests.browser.waiting import wait_until

LOAD = """async ({base, url, id}) => {
  const llm = await import(new URL('js/llm.js', document.baseURI).href);
  const {store} = await import(new URL('js/model_bytes.js', document.baseURI).href);
  const heap = () => performance.memory.usedJSHeapSize;
  let jsPeak = heap();
  const timer = setInterval(() => { jsPeak = Math.max(jsPeak, heap()); }, 10);
  const t0 = performance.now();
  const source = id ? {stream: await store.open(id)} : {url};
  window.__engine = await llm.create(base, source, {maxTokens: 256, forceF32: true}, () => {});
  const ms = performance.now() - t0;
  clearInterval(timer);
  await new Promise((ok) => setTimeout(ok, 1000));
  return {ms, jsPeak, jsSteady: heap()};
}"""
CLOSE = """async () => {
  const llm = await import(new URL('js/llm.js', document.baseURI).href);
  llm.close(window.__engine);
  window.__engine = null;
}"""


def rss_by_type() -> dict[str, int]:
    """Resident bytes of Chromium's renderer and GPU processes, summed per type."""
    totals = {"renderer": 0, "gpu-process": 0}
    for proc in Path("/proc").iterdir():
        try:
            # Chromium rewrites its process title, so the arguments may be one space-joined string
            found = re.search(rb"--type=([\w-]+)", (proc / "cmdline").read_bytes())
            kind = found.group(1).decode() if found else ""
            if kind in totals:
                rss = next(
                    line for line in (proc / "status").read_text().splitlines() if line.startswith("VmRSS")
                )
                totals[kind] += int(rss.split()[1]) * 1024
        except (OSError, StopIteration, ValueError, IndexError):
            continue
    return totals


class Sampler:
    """Samples rss_by_type() in a thread while a load runs; keeps the peaks."""

    def __init__(self) -> None:
        self.peak = {"renderer": 0, "gpu-process": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for kind, value in rss_by_type().items():
                self.peak[kind] = max(self.peak[kind], value)
            time.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_load(page: Page, base: str, url: str, model_id: str) -> dict:
    """One load (from storage when model_id is set, else from url) with its memory."""
    with Sampler() as sampler:
        timing = page.evaluate(LOAD, {"base": base, "url": url, "id": model_id})
    steady = rss_by_type()  # the model loaded and idle (LOAD waited a second)
    page.evaluate(CLOSE)
    time.sleep(1.0)
    js_over = timing["jsPeak"] - timing["jsSteady"]
    return {"ms": timing["ms"], "peak": sampler.peak, "steady": steady, "js_over_steady": js_over}


def download_through_the_app(page: Page, label: str) -> None:
    page.get_by_role("link", name="Models", exact=True).click()
    found = card(page, label)
    found.get_by_role("button", name="Download").click()
    wait_stored(found, timeout=600_000)


def refetched_after_drops(page: Page, server: ModelServer, name: str, label: str, size: int) -> list[int]:
    """Delete the stored copy, download again with three cuts; bytes served twice per cut."""
    card(page, label).get_by_role("button", name="Delete").click()
    wait_until(page, "!document.querySelector('.model-card .stored')?.textContent.includes('On this')")
    cuts = [size // 5 + 12_345, size // 2 + 777, (size * 4) // 5 + 3]
    server.log.clear()
    server.drop_at(name, cuts)
    download_through_the_app(page, label)
    starts = server.range_starts(name)[1:]
    return [cut - start for cut, start in zip(cuts, starts, strict=False)]


def measure(which: str, runs: int, folder: Path) -> dict:
    files = {f"{which}.task": project_model(which, folder).resolve()}
    size = files[f"{which}.task"].stat().st_size
    label, model_id = MODELS[which]["label"], f"{which}-download"
    with ModelServer(files).start() as server:
        site = build.build(folder / "_site", catalog=catalog_file(folder, records(server, files)))
        httpd = start_in_thread(site)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{httpd.server_port}/#/models")
            wait_until(page, "document.documentElement.dataset.tabula === 'ready'", timeout=120_000)
            download_through_the_app(page, label)
            genai = page.evaluate("fetch('config.json').then((r) => r.json()).then((c) => c.paths.genai)")
            page.goto(f"http://127.0.0.1:{httpd.server_port}/config.json")  # same origin, no app engine
            base = f"http://127.0.0.1:{httpd.server_port}/{genai}"
            loads = {"storage": [], "http": []}
            timed_load(page, base, server.url(f"{which}.task"), "")  # warm-up: wasm compile, caches
            for _ in range(runs):
                loads["storage"].append(timed_load(page, base, "", model_id))
                loads["http"].append(timed_load(page, base, server.url(f"{which}.task"), ""))
            page.goto(f"http://127.0.0.1:{httpd.server_port}/#/models")
            wait_until(page, "document.documentElement.dataset.tabula === 'ready'", timeout=120_000)
            refetched = refetched_after_drops(page, server, f"{which}.task", label, size)
            version = browser.version
            browser.close()
        httpd.shutdown()
    return {"model": which, "bytes": size, "loads": loads, "refetched": refetched, "browser": version}


def summarise(result: dict, chunk: int) -> tuple[list[list[str]], dict]:
    size, loads = result["bytes"], result["loads"]
    head = [
        "source",
        "load ms",
        "JS heap peak-steady MB",
        "renderer peak-steady MB",
        "share",
        "GPU proc peak MB",
    ]
    rows = [head]
    summary = {}
    for source, samples in loads.items():
        over = median([(s["peak"]["renderer"] - s["steady"]["renderer"]) / 1e6 for s in samples])
        gpu = median([s["peak"]["gpu-process"] / 1e6 for s in samples])
        ms = median([s["ms"] for s in samples])
        js = median([s["js_over_steady"] / 1e6 for s in samples])
        summary[source] = {"ms": ms, "js_over_steady_mb": js, "renderer_over_steady_mb": over}
        rows.append([source, ms, js, over, f"{100 * over * 1e6 / size:.1f} %", gpu])
    summary["storage/http"] = round(summary["storage"]["ms"] / summary["http"]["ms"], 3)
    summary["refetched_max"] = max(result["refetched"], default=0)
    summary["chunk"] = chunk
    return rows, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("tiny", "real"), default="real")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(args.model, args.runs, Path(tmp))
    rows, summary = summarise(result, DEFAULT_CHUNK)
    info = machine(result.pop("browser"))
    saved = save("models", {**result, "summary": summary, "runs": args.runs, **info})
    print(table(rows))
    print(f"load from storage / loopback HTTP: {summary['storage/http']}x (goal <= 1.1)")
    print(f"bytes fetched again per drop: {result['refetched']} (goal <= one chunk = {DEFAULT_CHUNK})")
    print(
        f"model={args.model} ({result['bytes'] / 1e6:.0f} MB) runs={args.runs} · {info['machine']} · {info['browser']}"
    )
    print("->", saved)


if __name__ == "__main__":
    main()
