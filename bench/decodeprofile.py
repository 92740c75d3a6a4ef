"""Where the main thread's time goes while an answer streams: a Chrome trace of the app and of the
bare engine page (bench/decode.py's runs, same model, prompt and options), from the question to
the last token.

Every main-thread task inside the streaming window (first to last token, as they arrive) is put
in one bucket by what it ran: the app's painter (an animation frame: Python pulls the new text and
paints it), another call into Python (pyodide.asm.js: asyncio timers, promise callbacks), the
engine (MediaPipe's bundle and wasm, or wllama's), the page's own script (the bare page's token
callback), garbage collection, or the browser's own work (style, layout, paint). Reports per side
the main thread's busy share and, per bucket, milliseconds per second of streaming, task count and
the mean task; and the app's extra busy time per token over the bare page's. Never pass/fail.

Run: .venv/bin/python bench/decodeprofile.py [--model tiny] [--runs 2]  (bench/out/decodeprofile.json);
elsewhere: `bench/decode.py --build-only DIR` here, `--site DIR` there (bench/gpu.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

import decode
from harness import launch, machine, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tabula.engine import prompt

CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
    "v8",
    "toplevel",
]
TASKS = ("RunTask", "ThreadControllerImpl::RunTask")
MARK = "bench:traced"
GC = ("MinorGC", "MajorGC", "V8.GC_SCAVENGER", "V8.GC_MARK_COMPACTOR", "BlinkGC.AtomicPhase")
BROWSER = ("UpdateLayoutTree", "Layout", "Paint", "PrePaint", "Layerize", "Commit", "HitTest", "ParseHTML")
ENGINES = ("genai_bundle", "genai_wasm", "wllama", "llm.js")


class Trace:
    """Records one run's trace (decode.app_run/bare_run call start and stop) and buckets it."""

    def __init__(self) -> None:
        self.result: dict = {}

    def start(self, browser, page) -> None:
        browser.start_tracing(page=page, categories=CATEGORIES)
        self.mark_ms = page.evaluate(f"performance.mark('{MARK}').startTime")

    def stop(self, browser, page, arrived: dict) -> None:
        events = json.loads(browser.stop_tracing())["traceEvents"]
        self.result = buckets(events, self.mark_ms, arrived["first"], arrived["last"])
        key = page.evaluate("window.__m.t0")  # the Enter key (the app only): until the engine is asked
        if key is not None and arrived.get("start", key) > key:
            self.result["before_engine"] = buckets(events, self.mark_ms, key, arrived["start"])


def where_marked(events: list[dict]) -> tuple[tuple[int, int], float]:
    """The page's main thread (where MARK was made) and the mark's trace time (µs)."""
    mark = next(e for e in events if e.get("name") == MARK)
    return (mark["pid"], mark["tid"]), mark["ts"]


def split(task: dict, inside: list[dict]) -> list[tuple[str, float]]:
    """One task's time in buckets: an animation frame's callbacks apart from its rendering."""
    callbacks = sum(e["dur"] for e in inside if e["name"] == "FireAnimationFrame") / 1000
    if not callbacks:
        return [(bucket(task, inside), task["dur"] / 1000)]
    called = bucket(task, [e for e in inside if e["name"] != "FireAnimationFrame"])
    who = "Python painter" if "Python" in called else called
    return [
        (f"animation frame callback ({who})", callbacks),
        ("animation frame rendering", task["dur"] / 1000 - callbacks),
    ]


def bucket(task: dict, inside: list[dict]) -> str:
    """What one main-thread task ran, by its outermost script call or its first browser step."""
    for e in inside:
        url = ((e.get("args", {}).get("data") or {}).get("url") or "").rsplit("/", 1)[-1]
        if e["name"] in ("FunctionCall", "EvaluateScript", "v8.callFunction") and url:
            if "pyodide" in url:
                return "Python (other calls)"
            return "engine (" + url + ")" if any(k in url for k in ENGINES) else "page script (" + url + ")"
    for e in inside:
        if e["name"] in GC:
            return "garbage collection"
        if e["name"] in BROWSER:
            return "browser (style, layout, paint)"
    return "other (" + (inside[0]["name"] if inside else task["name"]) + ")"


def buckets(events: list[dict], mark_ms: float, first_ms: float, last_ms: float) -> dict:
    """Busy time per bucket (ms per second of streaming) in [first, last] on the main thread."""
    where, mark_ts = where_marked(events)
    zero = mark_ts - mark_ms * 1000  # trace µs of performance.now() == 0
    lo, hi = zero + first_ms * 1000, zero + last_ms * 1000
    mine = sorted(
        (e for e in events if (e.get("pid"), e.get("tid")) == where and e.get("ph") == "X" and "dur" in e),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    tasks, end = [], float("-inf")
    for e in mine:
        if e["name"] in TASKS and lo <= e["ts"] <= hi and e["ts"] >= end:
            tasks.append(e)
            end = e["ts"] + e["dur"]
    seconds = max((hi - lo) / 1e6, 1e-6)
    spent: dict[str, list[float]] = defaultdict(list)
    for task in tasks:
        stop = task["ts"] + task["dur"]
        inside = [
            e for e in mine if task["ts"] <= e["ts"] < stop and e is not task and e["name"] not in TASKS
        ]
        for name, ms in split(task, inside):
            spent[name].append(ms)
    busy = sum(sum(v) for v in spent.values())
    return {
        "window_ms": round((hi - lo) / 1000, 1),
        "busy_share": round(busy / (seconds * 1000), 3),
        "buckets": {
            name: {
                "ms_per_s": round(sum(v) / seconds, 1),
                "tasks": len(v),
                "mean_ms": round(statistics.mean(v), 2),
            }
            for name, v in sorted(spent.items(), key=lambda kv: -sum(kv[1]))
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("tiny", "real"), default="tiny")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--idle-ms", type=int, default=1500)
    parser.add_argument("--site", type=Path, help="a site bench/decode.py --build-only wrote")
    args = parser.parse_args()
    family = decode.SIDECARS[args.model]["family"]
    text = prompt.render(prompt.template_for(family), "", [prompt.Turn("user", decode.PROMPT)])
    sides: dict[str, list[dict]] = {"app": [], "bare": []}
    with tempfile.TemporaryDirectory() as tmp:
        site, config = (
            (args.site, json.loads((args.site / "config.json").read_text()))
            if args.site
            else decode.build_site(Path(tmp), args.model)
        )
        server = start_in_thread(site)
        url = f"http://127.0.0.1:{server.server_port}/"
        params = {"genai": config["paths"]["genai"], "model": config["catalog"][0]["url"], "prompt": text,
                  "options": decode.OPTIONS}  # fmt: skip
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for _ in range(args.runs):
                for side in ("app", "bare"):
                    trace = Trace()
                    run = (
                        decode.app_run(browser, url, args.idle_ms, trace)
                        if side == "app"
                        else decode.bare_run(browser, url, params, args.idle_ms, trace)
                    )
                    sides[side].append({**trace.result, "tokens": run["tokens"]})
            version = browser.version
            browser.close()
        server.shutdown()
    report(sides, version, args)


def report(sides: dict[str, list[dict]], version: str, args) -> None:
    for side, runs in sides.items():
        for run in runs:
            print(
                f"== {side}: {run['tokens']} tokens in {run['window_ms']} ms, main thread busy {run['busy_share']:.0%}"
            )
            rows = [["bucket", "ms per s", "tasks", "mean ms"]]
            rows += [[name, b["ms_per_s"], b["tasks"], b["mean_ms"]] for name, b in run["buckets"].items()]
            print(table(rows))
            if "before_engine" in run:
                ahead = run["before_engine"]
                print(
                    f"-- {side}, Enter to the engine's call: {ahead['window_ms']} ms, busy {ahead['busy_share']:.0%}"
                )
                print(table([["bucket", "ms per s", "tasks", "mean ms"]] + [
                    [name, b["ms_per_s"], b["tasks"], b["mean_ms"]] for name, b in ahead["buckets"].items()
                ]))  # fmt: skip

    def busy_per_token(run: dict) -> float:
        return run["busy_share"] * run["window_ms"] / max(run["tokens"] - 1, 1)

    extra = statistics.median(
        busy_per_token(a) - busy_per_token(b) for a, b in zip(sides["app"], sides["bare"], strict=True)
    )
    print(f"app's extra main-thread time per token over the bare page: {extra:.2f} ms")
    info = machine(version)
    data = {
        "sides": sides,
        "extra_ms_per_token": round(extra, 3),
        "model": args.model,
        "runs": args.runs,
        **info,
    }
    print("->", save("decodeprofile", data))


if __name__ == "__main__":
    main()
