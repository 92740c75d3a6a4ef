"""Photo-to-first-token benchmark (issue #25): a photo sent with a question to the Transformers.js
engine, in the app vs a bare Transformers.js worker page (bench/bare_transformers.js) on the same
model set, backend, dtype, photo and rendered prompt.

The app's side: the photo is added in the composer (the page downscales it and stores it in
IndexedDB), the question is sent, and the answer is stopped at its first token. Two times are
kept: from the Enter key to the first token's batch reaching the page (what a person waits, less
the paint), and from the engine being asked (pwa/js/engine_port.js lastGeneration(): after the
prompt is built and counted) to that batch: the engine's own photo-to-first-token, reading the
photo from IndexedDB, the image processor, the vision encoder and the prefill included. The bare
page's: from its ask to the first token (reading the photo, processing, encoding, prefill).
Default here: the tiny Gemma-4-shaped set on the wasm backend (WebGPU off), 640x480 photo. Prints
a table, writes bench/out/photo.json. Never pass/fail.

Run: .venv/bin/python bench/photo.py [--runs 3] [--webgpu] [--size 640x480]
(`--build-only DIR` then `--site DIR` runs it elsewhere, e.g. on the lent GPU machine with
TABULA_CHROMIUM/TABULA_CHROMIUM_FLAGS/TABULA_WEBGPU and `--webgpu`: bench/gpu.md. The bare page
loads the set on the backend and dtype the app's engine reported.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from harness import ROOT, launch, machine, median, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.waiting import wait_until

QUESTION = "What is written on this label?"
SETTINGS = {"max_tokens": 512, "top_k": 1, "temperature": 0.0, "seed": 1}
ARRIVALS = "async () => (await import(new URL('js/engine_port.js', location.href).href)).lastGeneration()"
LAST = "() => self.tabulaEngine.last()"
IDLE_MS = 2000  # both sides wait as long after their model is ready before they are asked


def build_site(tmp: Path, size: tuple[int, int]) -> tuple[Path, dict]:
    """The site with the tiny set embedded, the photo, and the bare page beside it."""
    from PIL import Image

    import build
    from tests.models.gemma4 import build as tiny_gemma4  # onnx here only: not needed with --site

    folder = tmp / "model"
    folder.mkdir()
    (folder / "tiny-gemma4").symlink_to(tiny_gemma4.build(), target_is_directory=True)
    (folder / "tiny-gemma4.json").write_text(
        json.dumps({"label": "Tiny Gemma 4", "family": "gemma4", "max_tokens": 512})
    )
    site = build.build(tmp / "site", models=[folder / "tiny-gemma4"])  # tmp/site: what --site reads
    Image.new("RGB", size, (30, 160, 90)).save(site / "photo.png", "PNG")
    for script in ("bare_transformers.js", "bare_transformers_page.js"):
        shutil.copy(ROOT / "bench" / script, site / script)
    (site / "bare_transformers.html").write_text(
        '<!doctype html><html><body><div id="out"></div><script type="module" src="./bare_transformers_page.js"></script></body></html>'
    )
    return site, json.loads((site / "config.json").read_text())


def app_run(browser, url: str, photo: Path) -> dict:
    """One question with a photo in the app, stopped at its first token."""
    context = browser.new_context()
    context.add_init_script(f"localStorage.setItem('tabula.settings', {json.dumps(json.dumps(SETTINGS))})")
    page = context.new_page()
    page.goto(url + "#/chat")
    wait_until(page, "document.getElementById('engine').textContent === 'Ready'", timeout=300_000)
    page.wait_for_timeout(IDLE_MS)
    engine = next(w for w in page.workers if w.url.endswith("/js/engine_transformers.js"))
    backend = engine.evaluate("() => self.tabulaEngine.loaded()")
    composer = page.locator("form.composer")
    composer.locator('input[data-action="attach-photo"]').set_input_files(photo)
    composer.locator(".chip").wait_for()
    page.evaluate(
        "() => addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__enter = performance.now(); }, true)"
    )
    page.fill("#message", QUESTION)
    page.press("#message", "Enter")
    answer = page.locator("article.msg.model").last
    wait_until(page, f"({ARRIVALS})().then((g) => g && g.first !== null)", timeout=300_000)
    wait_until(
        page,
        "/^(done|stopped|failed)$/.test([...document.querySelectorAll('article.msg.model')].at(-1).dataset.status)",
        timeout=600_000,
    )
    arrived, enter, last = page.evaluate(ARRIVALS), page.evaluate("window.__enter"), engine.evaluate(LAST)
    meta = answer.locator(".meta").inner_text()
    tokens = int(re.search(r"(\d+) tokens(?!/)", meta).group(1))
    context.close()
    return {"enter_ms": arrived["first"] - enter, "engine_ms": arrived["first"] - arrived["start"], "last": last,
            "device": backend["device"], "dtype": backend["dtype"], "tokens": tokens,
            "decode_tps": (tokens - 1) / max(1e-6, (arrived["last"] - arrived["first"]) / 1000)}  # fmt: skip


def bare_run(browser, url: str, params: dict) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and print(m.text))
    page.goto(url + "bare_transformers.html#" + quote(json.dumps(params)))
    wait_until(page, "document.documentElement.dataset.ready === 'true'", timeout=300_000)
    page.wait_for_timeout(IDLE_MS)
    result = page.evaluate("window.runOnce()")
    context.close()
    seconds = max(1e-6, (result["last"] - result["first"]) / 1000)
    return {
        "engine_ms": result["first"] - result["t0"],
        "tokens": result["tokens"],
        "decode_tps": (result["tokens"] - 1) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--webgpu",
        action="store_true",
        help="leave WebGPU on (the app picks it if the adapter is a real GPU)",
    )
    parser.add_argument("--size", default="640x480", help="the photo's pixels, WxH")
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the site into DIR and stop")
    parser.add_argument("--site", type=Path, metavar="DIR", help="a site --build-only made")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    if args.build_only:
        site, _ = build_site(args.build_only, size)
        return print(f"-> {site}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        site = args.site.resolve() / "site" if args.site else build_site(Path(tmp), size)[0]
        config = json.loads((site / "config.json").read_text())
        server = start_in_thread(site)
        url = f"http://127.0.0.1:{server.server_port}/"
        browser = launch(playwright, webgpu=args.webgpu)
        apps, bares = [], []
        for _ in range(args.runs):
            apps.append(app_run(browser, url, site / "photo.png"))
            last = apps[-1]["last"]
            params = {"transformers": config["paths"]["transformers"], "ort": config["paths"]["ort"],
                      "model": "models/tiny-gemma4/", "photo": "photo.png", "prompt": last["prompt"],
                      "device": apps[-1]["device"], "dtype": apps[-1]["dtype"], "maxNew": apps[-1]["tokens"]}  # fmt: skip
            bares.append(bare_run(browser, url, params))
        version = browser.version
        browser.close()
        server.shutdown()
    report(apps, bares, version, size, args.webgpu)


def report(apps: list[dict], bares: list[dict], version: str, size: tuple[int, int], webgpu: bool) -> None:
    last = apps[-1]["last"]
    app_engine, bare = median([a["engine_ms"] for a in apps]), median([b["engine_ms"] for b in bares])
    rows = [
        ["side", "photo to first token (ms, median)", "runs"],
        ["app: Enter to first token at the page", median([a["enter_ms"] for a in apps]), len(apps)],
        ["app: engine asked to first token", app_engine, len(apps)],
        ["bare Transformers.js worker page", bare, len(bares)],
    ]
    print(table(rows))
    decode = {
        "app": median([a["decode_tps"] for a in apps]),
        "bare": median([b["decode_tps"] for b in bares]),
    }
    print(f"decode as tokens arrive (tok/s, median): app {decode['app']:.1f}, bare {decode['bare']:.1f}: "
          f"{decode['app'] / decode['bare']:.3f}x  ({apps[-1]['tokens']} tokens each)")  # fmt: skip
    print(
        f"app engine / bare: {app_engine / bare:.2f}x  (pixel_values {last['pixelValues']}, {last['imageTokens']} image tokens)"
    )
    backend = f"{apps[-1]['dtype']}, {apps[-1]['device']}"
    where = {} if webgpu else {"browser": f"Chromium {version} headless (WebGPU off)"}
    data = {**machine(version), **where, "model": f"tiny-gemma4 ({backend})", "photo": list(size), "app": apps, "bare": bares,
            "median_ms": {"app_enter": rows[1][1], "app_engine": app_engine, "bare": bare}, "decode_tps": decode,
            "note": f"Load average when it ended: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine "
                    "shows in these times); the tiny set's maths is not Gemma's, so they time the data path, not a real E2B."}  # fmt: skip
    print(f"-> {save('photo', data)}")


if __name__ == "__main__":
    main()
