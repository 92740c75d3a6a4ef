"""Where a paint's time goes while a 16 KB answer streams into a 200-message chat: a Chrome trace
with V8's sampling profiler over bench/longchat.py's run (the same site, chat and answer).

Every profiler sample taken inside an animation-frame callback between the answer's first paint
and its end is put in one bucket by the function it was in (its leaf frame): Python's interpreter
(the wasm of pyodide.asm.wasm), Pyodide's JS glue (pyodide.asm.js: the calls between JS and
Python, conversions), DOMPurify, the app's JS shims (rich.js, llm.js...), the DOM and other
browser code the page called (V8 reports it as '(program)'), garbage collection. Reports the
share of the callbacks' time per bucket and the heaviest leaf functions. Long frames (over 50 ms)
are printed as bench/longchat.py prints them. Never pass/fail.

Run: .venv/bin/python bench/paintprofile.py [--runs 1]   (saves bench/out/paintprofile.json);
elsewhere: `bench/longchat.py --build-only DIR` here, `--site DIR` there (bench/gpu.md).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

import longchat
from harness import launch, machine, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.geminiserver import GeminiServer

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing",
              "v8", "disabled-by-default-v8.cpu_profiler"]  # fmt: skip
MARK = "bench:traced"


def bucket(frame: dict) -> str:
    """What a sampled leaf frame belongs to."""
    url, name = frame.get("url", "").rsplit("/", 1)[-1], frame.get("functionName", "")
    if name in ("(garbage collector)", "(program)", "(idle)"):
        return {"(program)": "browser code the page called (DOM, style)"}.get(name, name)
    if url.endswith(".wasm") or url.startswith("wasm://") or "wasm-function" in name:
        return "Python interpreter (wasm)"
    if "pyodide" in url:
        return "Pyodide JS glue (pyodide.asm.js)"
    if "purify" in url:
        return "DOMPurify"
    return f"page script ({url or 'native'})"


def samples(events: list[dict], main: tuple[int, int]) -> list[tuple[float, dict]]:
    """(trace µs, leaf call frame) of each of the main thread's profiler samples."""
    profile = next(e for e in events if e.get("name") == "Profile" and (e["pid"], e["tid"]) == main)
    t, nodes, out = profile["args"]["data"]["startTime"], {}, []
    for chunk in (e for e in events if e.get("name") == "ProfileChunk" and e.get("id") == profile["id"]):
        data = chunk["args"]["data"]
        for node in data.get("cpuProfile", {}).get("nodes", []):
            nodes[node["id"]] = node["callFrame"]
        for sample, delta in zip(
            data.get("cpuProfile", {}).get("samples", []), data.get("timeDeltas", []), strict=False
        ):
            t += delta
            out.append((t, nodes.get(sample, {})))
    return out


def in_paints(events: list[dict], mark_ms: float, lo_ms: float, hi_ms: float) -> dict:
    """Buckets and leaf functions of the samples inside animation-frame callbacks in [lo, hi]."""
    mark = next(e for e in events if e.get("name") == MARK)
    main, zero = (mark["pid"], mark["tid"]), mark["ts"] - mark_ms * 1000
    lo, hi = zero + lo_ms * 1000, zero + hi_ms * 1000
    frames = sorted(
        (e["ts"], e["ts"] + e["dur"]) for e in events
        if e.get("name") == "FireAnimationFrame" and (e["pid"], e["tid"]) == main and lo <= e["ts"] <= hi
    )  # fmt: skip
    where, leaves, i = Counter(), Counter(), 0
    for ts, frame in samples(events, main):
        while i < len(frames) and frames[i][1] < ts:
            i += 1
        if i < len(frames) and frames[i][0] <= ts:
            where[bucket(frame)] += 1
            leaves[f"{frame.get('functionName') or '?'} ({frame.get('url', '').rsplit('/', 1)[-1]})"] += 1
    total = max(sum(where.values()), 1)
    return {
        "callbacks": len(frames),
        "callback_ms": round(sum(b - a for a, b in frames) / 1000, 1),
        "samples": total,
        "buckets": {name: round(n / total, 3) for name, n in where.most_common()},
        "leaves": {name: round(n / total, 3) for name, n in leaves.most_common(15)},
    }


def one_run(browser, url: str, folder: Path, gemini: GeminiServer) -> dict:
    page = browser.new_context().new_page()
    longchat.open_long_chat(page, url, folder / "long.json")
    page.evaluate(longchat.OBSERVE)
    browser.start_tracing(page=page, categories=CATEGORIES)
    mark_ms = page.evaluate(f"performance.mark('{MARK}').startTime")
    streamed = (folder / "streamed.txt").read_text()
    longchat.stream(page, gemini, streamed)
    marks = page.evaluate("window.__m.streaming = false, window.__m")
    events = json.loads(browser.stop_tracing())["traceEvents"]
    page.context.close()
    result = in_paints(events, mark_ms, marks["started"], marks["done"])
    result["paint_ms"] = sorted(marks["frames"])[len(marks["frames"]) // 2] if marks["frames"] else 0.0
    result["long_frames"] = longchat.placed(marks)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--site", type=Path, metavar="DIR", help="a folder bench/longchat.py --build-only wrote"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, GeminiServer() as gemini:
        folder = args.site or Path(tmp)
        if args.site is None:
            longchat.build_all(folder, "", gemini.port)
        else:
            gemini.stop()
            gemini.start(json.loads((folder / "longchat.json").read_text())["port"])
        gemini.keys = {longchat.KEY}
        server = start_in_thread(folder / "site-after")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            url = f"http://127.0.0.1:{server.server_port}/"
            runs = [one_run(browser, url, folder, gemini) for _ in range(args.runs)]
            version = browser.version
            browser.close()
        server.shutdown()
    for n, run in enumerate(runs, 1):
        print(
            f"== run {n}: {run['callbacks']} callbacks, {run['callback_ms']} ms, median paint {run['paint_ms']:.2f} ms"
        )
        print(table([["bucket", "share"]] + [[k, v] for k, v in run["buckets"].items()]))
        print(table([["leaf function", "share"]] + [[k, v] for k, v in run["leaves"].items()]))
    print("->", save("paintprofile", {**machine(version), "runs": runs}))


if __name__ == "__main__":
    main()
