"""Does LiteRT-LM JS (@litert-lm/core, issue #17) run here? A probe, not a benchmark.

Builds a small site (the vendored runtime from node_modules, its wasm hosted by us, the probe
page bench/litert_probe.js and a `.litertlm` made by bench/litert_model.py), serves it, opens it
in headless Chromium and prints every step (runtime load, engine create per backend, model load,
conversation and session generation, streaming, cancel, token counts, constrained decoding)
with errors verbatim, the browser console, and one summary line. Writes the record as JSON.

Run here:      .venv/bin/python bench/litert_probe.py [--model tiny|real] [--backends CPU,GPU]
Build only:    .venv/bin/python bench/litert_probe.py --build-only DIR [--wasm litertlm_wasm_internal]
Elsewhere:     python3 bench/litert_probe.py --site DIR --chromium PATH --flags "..." --json OUT.json
(`--site` needs only Playwright and the standard library: see bench/gpu.md for the GPU machine.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from playwright.sync_api import sync_playwright  # noqa: E402

from devserver import start_in_thread  # noqa: E402

ARGS = "--no-sandbox --enable-unsafe-webgpu --disable-background-networking --disable-component-update"
ARGS += " --disable-sync --no-first-run"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>LiteRT-LM probe</title></head>
<body><script type="module" src="./litert_probe.js"></script></body></html>
"""

# The page's record as JSON text; anything cyclic is named, not followed.
SNAPSHOT = """() => { const seen = new WeakSet();
  return JSON.stringify(window.__probe ?? {steps: [], done: false}, (k, v) => {
    if (v && typeof v === "object") { if (seen.has(v)) return `[cycle ${v.constructor?.name}]`; seen.add(v); }
    return v; }); }"""


def build_site(site: Path, model: str, wasm: list[str] | None) -> Path:
    """The probe site: vendored LiteRT-LM, the probe page, models/<model>.litertlm, probe.json."""
    from litert_model import convert, task_path  # npm/PyPI side: only where the site is built

    from site_runtime import LITERT_WASM, litert_versions, vendor_litert

    site.mkdir(parents=True, exist_ok=True)
    paths = vendor_litert(site, tuple(wasm or LITERT_WASM))
    for name in ("litert_probe.js", "litert_probe_worker.js"):
        shutil.copy(ROOT / "bench" / name, site / name)
    (site / "litert_probe.html").write_text(PAGE)
    (site / "models").mkdir(exist_ok=True)
    convert(task_path(model), site / "models" / f"{model}.litertlm")
    meta = {"litert": paths["litert"], "model": f"models/{model}.litertlm", "versions": litert_versions()}
    (site / "probe.json").write_text(json.dumps(meta, indent=1) + "\n")
    return site


def run_probe(site: Path, args: argparse.Namespace) -> dict:
    """Open the probe page and collect its steps and the browser console until it is done."""
    meta = json.loads((site / "probe.json").read_text())
    params = {"litert": meta["litert"], "model": meta["model"], "backends": args.backends,
              "prompt": args.prompt, "maxTokens": args.max_tokens, "maxNumTokens": 256,
              "wasmFile": args.wasm_file, "worker": args.worker}  # fmt: skip
    server = start_in_thread(site)
    console: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=args.flags.split())
            page = browser.new_page()
            page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
            page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
            page.on("crash", lambda _: console.append("[crash] the page crashed"))
            url = f"http://127.0.0.1:{server.server_port}/litert_probe.html#{quote(json.dumps(params))}"
            page.goto(url)
            record = wait(page, args.timeout, console)
            record["browser"] = f"Chromium {browser.version}"
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {**record, "console": console, "params": params, "versions": meta["versions"]}


def wait(page, timeout: float, console: list[str]) -> dict:
    """Poll the page's record until it says done, the page dies, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    probe: dict = {"steps": [], "done": False}
    seen: list[dict] = []
    while time.monotonic() < deadline:
        try:
            probe = json.loads(page.evaluate(SNAPSHOT))
        except Exception as error:  # the page crashed or the wasm hung its thread
            return {**probe, "stopped": f"page unreachable: {error}"}
        for s in probe["steps"][len(seen) :]:
            seen.append(s)
            print(f"  ... {'ok ' if s['ok'] else 'ERR'} {s['ms']:>7} ms  {s['step']}", flush=True)
        if probe["done"]:
            return {**probe, "stopped": "done"}
        if any(line.startswith("[crash]") for line in console):
            return {**probe, "stopped": "page crashed"}
        time.sleep(0.5)
    return {**probe, "stopped": f"timed out after {timeout:.0f} s in step {probe.get('current')!r}"}


def summary(record: dict) -> str:
    """One line: which backends generated text, which failed first and how."""
    steps = record["steps"]
    generated = ("sendMessage", "live deltas")
    made = sorted(
        {s["step"].split(":")[0] for s in steps if s["ok"] and any(g in s["step"] for g in generated)}
    )
    failed = [s for s in steps if not s["ok"]]
    verdict = "RUNS" if made else "BLOCKED"
    first = f"; first failure: {failed[0]['step']}: {failed[0]['detail'].splitlines()[0]}" if failed else ""
    return (f"LITERT PROBE {verdict}: generated with [{', '.join(made)}]; {len(failed)} failed steps{first}; "
            f"stopped: {record['stopped']}; {record.get('browser', '?')}")  # fmt: skip


def report(record: dict) -> None:
    """Print each step, the console tail and the summary line."""
    for s in record["steps"]:
        print(f"{'ok ' if s['ok'] else 'ERR'} {s['ms']:>7} ms  {s['step']}")
        detail = s["detail"] if isinstance(s["detail"], str) else json.dumps(s["detail"])
        for line in detail.splitlines()[:12]:
            print(f"      {line[:400]}")
    print(f"--- browser console ({len(record['console'])} lines, last 60) ---")
    for line in record["console"][-60:]:
        print(f"  {line[:400]}")
    print(summary(record))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("tiny", "real"), default="tiny")
    parser.add_argument("--site", type=Path, help="a probe site made with --build-only")
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the probe site and stop")
    parser.add_argument("--wasm", action="append", help="wasm variant(s) to vendor (default: all four)")
    parser.add_argument("--wasm-file", help="load this one wasm .js (default: the runtime picks)")
    parser.add_argument(
        "--backends", type=lambda s: [b for b in s.split(",") if b], default=["CPU", "GPU", "GPU_ARTISAN"]
    )
    parser.add_argument("--worker", action="store_true", help="also run the CPU backend in a Worker")
    parser.add_argument("--prompt", default="The capital of France is")
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--flags", default=ARGS, help="Chromium flags, one string")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for the whole probe")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "litert_probe.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.build_only:
        print(build_site(args.build_only, args.model, args.wasm))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_site(Path(tmp) / "site", args.model, args.wasm)
        record = run_probe(site, args)
    report(record)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
