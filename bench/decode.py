"""Decode benchmark: the app vs a bare MediaPipe page on the main thread and a bare page after
MediaPipe's own worker sample (bench/bare_worker.js) (or, with --engine cpu, the app's CPU engine
vs a bare wllama page, GGUF model, WebGPU off), same model, prompt and options.

Alternates app and bare runs in one session and reports, per side: time to first token,
decode tokens/s, long tasks (PerformanceObserver 'longtask') while streaming, and input delay
while streaming (keys typed into the composer; event timestamp to the next frame). Prints a
table and ratios, writes bench/out/decode.json. Goals: app decode >= 0.98x bare; app TTFT <=
bare + 50 ms; no long task > 50 ms from our code; p95 input delay < 50 ms. Never pass/fail.

The app's TTFT counts from the Enter key to the first token on screen (what a user waits);
the bare page's from generateResponse() to its first callback. Tokens are also timed where they
reach the app's page (pwa/js/engine_port.js lastGeneration(): the worker's token batches, before
any paint), so the "arrived" columns compare like with like; both sides wait the same idle gap (--idle-ms) after
their model is ready before asking (MediaPipe keeps working for ~0.5 s after it loads).

Run: .venv/bin/python bench/decode.py [--model tiny|real] [--engine gpu|cpu] [--runs 5] [--max-tokens 256]
(`--build-only DIR` then `--site DIR` runs it elsewhere, e.g. on the lent GPU machine with
TABULA_CHROMIUM/TABULA_CHROMIUM_FLAGS/TABULA_WEBGPU: bench/gpu.md.)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from harness import ROOT, launch, machine, median, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tabula.engine import prompt
from tests.browser.waiting import wait_until

PROMPT = "Tell me a story about a river."
OPTIONS = {"maxTokens": 256, "topK": 1, "temperature": 0.0, "randomSeed": 1}
SETTINGS = {"max_tokens": 256, "top_k": 1, "temperature": 0.0, "seed": 1, "system_prompt": ""}
BARE = {"gpu": "bare_llm.js", "cpu": "bare_wllama.js"}
# The page each side opens: the app, the bare main-thread page, the bare worker page (GPU only).
PAGES = {"bare": "bare_llm.html", "worker": "bare_worker.html"}
SIDECARS = {"tiny": {"label": "tiny", "family": "gemma3", "max_tokens": 256},
            "real": {"label": "Gemma 3 270M", "family": "completion", "max_tokens": 256}}  # fmt: skip
OBSERVE = """() => {
  window.__m = {first: null, last: null, longtasks: [], delays: [], t0: null};
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__m.longtasks.push([e.startTime, e.duration]); })
    .observe({type: 'longtask'});
  addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && window.__m.t0 === null) window.__m.t0 = e.timeStamp;
    else requestAnimationFrame((t) => window.__m.delays.push(t - e.timeStamp));
  }, true);
  const sel = '.msg.model[data-status="streaming"] .text, #out';
  new MutationObserver(() => {
    const node = document.querySelector(sel);
    if (node && node.textContent) { const now = performance.now(); window.__m.first ??= now; window.__m.last = now; }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def model_path(which: str) -> Path:
    script = ROOT / "tests" / "models" / "build_models.py"
    out = subprocess.run(
        [sys.executable, script, "--print-path", which], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def build_site(tmp: Path, which: str, engine: str = "gpu") -> tuple[Path, dict]:
    """The site with model `which` embedded (its GGUF for the CPU engine), and the bare page
    (MediaPipe's, or wllama's) beside it as bare_llm.html."""
    import build  # jinja2 and npm: only where the site is built (not on the GPU machine)

    folder = tmp / "model"
    folder.mkdir()
    name = f"{which}.gguf" if engine == "cpu" else f"{which}.task"
    (folder / name).symlink_to(model_path(f"{which}-gguf" if engine == "cpu" else which))
    (folder / f"{name}.json").write_text(json.dumps(SIDECARS[which]))
    site = build.build(tmp / "site", models=[folder / name])
    config = json.loads((site / "config.json").read_text())
    shutil.copy(ROOT / "bench" / BARE[engine], site / "bare_llm.js")
    for page, script in (("bare_llm.html", "bare_llm.js"), ("bare_worker.html", "bare_worker_page.js")):
        (site / page).write_text(
            '<!doctype html><html><body><textarea id="box"></textarea><div id="out"></div>'
            f'<script type="module" src="./{script}"></script></body></html>'
        )
    for script in ("bare_worker.js", "bare_worker_page.js"):
        shutil.copy(ROOT / "bench" / script, site / script)
    # The bare main-thread page imports MediaPipe's ES module, which the app does not ship.
    genai = ROOT / "node_modules" / "@mediapipe" / "tasks-genai" / "genai_bundle.mjs"
    shutil.copy(genai, site / config["paths"]["genai"] / "genai_bundle.mjs")
    return site, config


def type_while_streaming(page, box: str) -> None:
    wait_until(page, "window.__m.first !== null", timeout=300_000)
    page.focus(box)
    page.keyboard.type("typing while it streams", delay=40)


ARRIVALS = "async () => (await import(new URL('js/engine_port.js', location.href).href)).lastGeneration()"


def app_run(browser, url: str, idle_ms: int, trace=None) -> dict:
    """One answer in the app; `trace` (bench/decodeprofile.py) records the main thread from the
    question to the end of the answer."""
    context = browser.new_context()
    context.add_init_script(f"localStorage.setItem('tabula.settings', {json.dumps(json.dumps(SETTINGS))})")
    page = context.new_page()
    page.goto(url + "#/chat")
    wait_until(page, "document.getElementById('engine').textContent === 'Ready'", timeout=300_000)
    page.wait_for_timeout(idle_ms)
    page.evaluate(OBSERVE)
    if trace:
        trace.start(browser, page)
    page.fill("#message", PROMPT)
    page.press("#message", "Enter")
    type_while_streaming(page, "#message")
    page.wait_for_selector('.msg.model[data-status="done"]', timeout=600_000)
    meta = page.inner_text(".msg.model .meta")
    marks = page.evaluate("window.__m")
    # When the token batches reached the page (engine_port.js); painted ones if it kept none
    arrived = page.evaluate(ARRIVALS) or {
        "start": marks["t0"],
        "first": marks["first"],
        "last": marks["last"],
    }
    if trace:
        trace.stop(browser, page, arrived)
    context.close()
    tokens = int(re.search(r"· (\d+) tokens(?: ·|$)", meta).group(1))
    reported = float(re.search(r"([\d.]+) tokens/s", meta).group(1))
    return {**marks, "tokens": tokens, "meta": meta, "reported_tps": reported, "arrived": arrived}


def bare_run(
    browser, url: str, params: dict, idle_ms: int, trace=None, page_name: str = "bare_llm.html"
) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda error: print("bare page error:", error, file=sys.stderr))
    page.on("console", lambda message: message.type == "error" and print(message.text, file=sys.stderr))
    page.goto(url + page_name + "#" + quote(json.dumps(params)))
    wait_until(page, "document.documentElement.dataset.ready === 'true'", timeout=300_000)
    page.wait_for_timeout(idle_ms)
    page.evaluate(OBSERVE)
    if trace:
        trace.start(browser, page)
    pending = page.evaluate_handle("window.runOnce()")
    type_while_streaming(page, "#box")
    result = page.evaluate("(p) => p", pending)
    marks = page.evaluate("window.__m")
    if trace:
        trace.stop(browser, page, result)
    context.close()
    return {
        **marks,
        "t0": result["t0"],
        "first": result["first"],
        "last": result["last"],
        "tokens": result["tokens"],
        "arrived": {"start": result["t0"], "first": result["first"], "last": result["last"]},
    }


def summarise(run: dict) -> dict:
    """TTFT, decode speed, worst long task while streaming, p95 input delay of one run."""
    streaming = [d for s, d in run["longtasks"] if run["first"] <= s <= run["last"]]
    delays = sorted(run["delays"]) or [0.0]
    arrived = run["arrived"]
    return {
        "ttft_ms": run["first"] - run["t0"],
        "decode_tps": (run["tokens"] - 1) / ((run["last"] - run["first"]) / 1000),
        "arrived_ttft_ms": arrived["first"] - run["t0"],
        "arrived_tps": (run["tokens"] - 1) / ((arrived["last"] - arrived["first"]) / 1000),
        "key_to_engine_ms": arrived["start"] - run["t0"],  # Python's work before MediaPipe is asked
        "longtask_max_ms": max(streaming, default=0.0),
        "longtasks": len(streaming),
        "input_p95_ms": delays[min(len(delays) - 1, int(0.95 * len(delays)))],
        "engine_tps": run.get("reported_tps", 0.0),  # the app's own measure (Python, engine side)
    }


def versus(runs: dict[str, list[dict]], medians: dict[str, dict], other: str) -> dict:
    """The app against the `other` side: decode ratios (median, per pair) and first-token gaps."""
    app, them = medians["app"], medians[other]
    return {
        f"decode app/{other}": round(app["decode_tps"] / them["decode_tps"], 3),
        f"decode app/{other}, as tokens arrive": round(app["arrived_tps"] / them["arrived_tps"], 3),
        f"decode app/{other}, pairs": [
            round(a["arrived_tps"] / b["arrived_tps"], 3)
            for a, b in zip(runs["app"], runs[other], strict=True)
        ],
        f"ttft app-{other} ms, as painted": round(app["ttft_ms"] - them["ttft_ms"], 1),
        f"ttft app-{other} ms, as tokens arrive": round(app["arrived_ttft_ms"] - them["arrived_ttft_ms"], 1),
        "decode spread app (stdev tps)": round(statistics.pstdev([r["decode_tps"] for r in runs["app"]]), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("tiny", "real"), default="tiny")
    parser.add_argument(
        "--engine", choices=("gpu", "cpu"), default="gpu", help="cpu: GGUF on wllama, WebGPU off"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=256, help="prompt + answer tokens (<= 256)")
    parser.add_argument(
        "--isolated", action="store_true", help="serve with COOP/COEP: the CPU engine runs threads"
    )
    parser.add_argument("--idle-ms", type=int, default=1500, help="wait after ready, on both sides")
    parser.add_argument(
        "--sides", default="app,bare,worker", help="app, bare (main-thread page), worker (MediaPipe's sample)"
    )
    parser.add_argument(
        "--site", type=Path, help="a site built before (--build-only) instead of building one"
    )
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the site into DIR and stop")
    args = parser.parse_args()
    if args.build_only:
        shutil.copytree(
            build_site(Path(tempfile.mkdtemp()), args.model, args.engine)[0], args.build_only, symlinks=False
        )
        return
    OPTIONS["maxTokens"] = SETTINGS["max_tokens"] = args.max_tokens
    family = SIDECARS[args.model]["family"]
    text = prompt.render(prompt.template_for(family), "", [prompt.Turn("user", PROMPT)])
    sides = [side for side in args.sides.split(",") if args.engine == "gpu" or side != "worker"]
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as tmp:
        site, config = (
            (args.site, json.loads((args.site / "config.json").read_text()))
            if args.site
            else build_site(Path(tmp), args.model, args.engine)
        )
        server = start_in_thread(site, isolated=args.isolated)
        url = f"http://127.0.0.1:{server.server_port}/"
        params = {
            "genai": config["paths"]["genai"],
            "wllama": config["paths"].get("wllama", ""),
            "model": config["catalog"][0]["url"],
            "prompt": text,
            "options": OPTIONS,
        }
        with sync_playwright() as playwright:
            browser = launch(playwright, webgpu=args.engine == "gpu")
            for _ in range(args.runs):
                for side in sides:
                    run = (
                        app_run(browser, url, args.idle_ms)
                        if side == "app"
                        else bare_run(browser, url, params, args.idle_ms, page_name=PAGES[side])
                    )
                    runs[side].append(summarise(run))
            version = browser.version
            browser.close()
        server.shutdown()
    keys = ("ttft_ms", "decode_tps", "arrived_ttft_ms", "arrived_tps", "key_to_engine_ms", "engine_tps",
            "longtask_max_ms", "longtasks", "input_p95_ms")  # fmt: skip
    medians = {side: {k: median([r[k] for r in rs]) for k in keys} for side, rs in runs.items()}
    rows = [["side", *keys]] + [[side, *(medians[side][k] for k in keys)] for side in sides]
    ratios = versus(runs, medians, "bare") if "bare" in sides else {}
    if "worker" in sides:
        ratios |= {f"{key} (vs worker page)": value for key, value in versus(runs, medians, "worker").items()}
    print(table(rows))
    for key, value in ratios.items():
        print(f"{key}: {value}")
    info = machine(version)
    print(f"model={args.model} engine={args.engine} runs={args.runs} · {info['machine']} · {info['browser']}")
    print(
        "->",
        save(
            f"decode-{args.model}"
            + ("-cpu" if args.engine == "cpu" else "")
            + ("-mt" if args.isolated else ""),
            {
                "runs": runs,
                "medians": medians,
                "ratios": ratios,
                "model": args.model,
                "engine": args.engine,
                "isolated": args.isolated,
                **info,
            },
        ),
    )


if __name__ == "__main__":
    main()
