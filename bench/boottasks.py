"""Start-up long tasks: a Chrome trace of the cold visit (fresh profile) and the warm one (third
visit, served by the service worker), every main-thread task over 50 ms with what ran in it.

Each task is placed among the boot's marks: PyScript's progress events (recorded as marks by an
init script: "Loading Pyodide", "Loaded interpreter", "Loading files" ... ) and the app's own
(`tabula:*`, py/tabula/main.py), and shows its heaviest trace events (wasm compilation, script
evaluation, the JS function that called into Pyodide, style/layout). Reports per visit: the long
tasks, their total blocking time (sum of duration - 50 ms) from first contentful paint to
"Python ready", and the blocking time per boot phase. Never pass/fail.

Run: .venv/bin/python bench/boottasks.py [--runs 3]  (bench/out/boottasks.json); elsewhere:
`--build-only DIR` here (the site), `--site DIR` there (Playwright and the stdlib only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

from harness import launch, machine, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.waiting import wait_until

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing", "v8", "v8.wasm",
              "toplevel", "loading", "blink"]  # fmt: skip
PROGRESS = "addEventListener('py:progress', (e) => performance.mark('py: ' + String(e.detail).trim()))"
READY = "tabula:python-ready"
TASKS = ("RunTask", "ThreadControllerImpl::RunTask")
NOISE = {
    *TASKS,
    "RunMicrotasks",
    "v8.run",
    "V8.Execute",
    "ProfileCall",
    "EventDispatch",
    "FireAnimationFrame",
}


def traced_visit(browser, page, url: str) -> dict:
    """Navigate to url with tracing on, until Python is ready and a second more; its long tasks."""
    browser.start_tracing(page=page, categories=CATEGORIES)
    page.goto(url + "#/chat")
    wait_until(page, f"performance.getEntriesByName('{READY}').length > 0", timeout=300_000)
    page.wait_for_timeout(1000)
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0")
    return long_tasks(json.loads(browser.stop_tracing())["traceEvents"], fcp)


def main_thread(events: list[dict]) -> tuple[tuple[int, int], float]:
    """(pid, tid) of the page's main thread (where READY was marked) and its navigationStart (µs)."""
    ready = next(e for e in events if e.get("name") == READY)
    where = (ready["pid"], ready["tid"])
    starts = [e["ts"] for e in events if e.get("name") == "navigationStart" and (e["pid"], e["tid"]) == where]
    return where, max([ts for ts in starts if ts <= ready["ts"]], default=min(starts, default=ready["ts"]))


def label(event: dict) -> str:
    """A trace event's name, with the script or function it concerns where the trace says."""
    data = event.get("args", {}).get("data", {}) or {}
    detail = data.get("functionName") or (data.get("url") or "").rsplit("/", 1)[-1]
    return f"{event['name']}({detail})" if detail else event["name"]


def outermost(tasks: list[dict]) -> list[dict]:
    """The tasks not inside another (a RunTask is often wrapped in another RunTask event)."""
    tasks = sorted(tasks, key=lambda e: (e["ts"], -e["dur"]))
    kept: list[dict] = []
    for task in tasks:
        if not kept or task["ts"] >= kept[-1]["ts"] + kept[-1]["dur"]:
            kept.append(task)
    return kept


def long_tasks(events: list[dict], fcp_ms: float) -> dict:
    """The main thread's tasks over 50 ms, each with its phase and heaviest inner events."""
    where, zero = main_thread(events)
    mine = [e for e in events if (e.get("pid"), e.get("tid")) == where and "ts" in e]
    marks = sorted(
        (e["ts"], e["name"]) for e in mine if "blink.user_timing" in e.get("cat", "") and e["ph"] in "IRn"
    )
    marks = [(ts, name) for ts, name in marks if ts >= zero and (name.startswith(("py: ", "tabula:")))]
    fcp = zero + fcp_ms * 1000  # performance.now() counts from navigationStart
    ready = next(ts for ts, name in marks if name == READY)
    tasks = []
    found = [e for e in mine if e.get("ph") == "X" and e.get("name") in TASKS and e["ts"] >= zero]
    for task in outermost(found):
        if task["dur"] <= 50_000:
            continue
        end = task["ts"] + task["dur"]
        inner: dict[str, float] = defaultdict(float)
        for e in mine:
            if (
                e.get("ph") == "X"
                and task["ts"] <= e["ts"] < end
                and e.get("name") not in NOISE
                and e is not task
            ):
                inner[label(e)] = max(inner[label(e)], e.get("dur", 0) / 1000)
        before = [name for ts, name in marks if ts <= task["ts"]]
        tasks.append({
            "start_ms": round((task["ts"] - zero) / 1000),
            "ms": round(task["dur"] / 1000, 1),
            "after": before[-1] if before else "navigation",
            "marks_inside": [name for ts, name in marks if task["ts"] < ts <= end],
            "inside": [f"{name} {ms:.0f}" for name, ms in sorted(inner.items(), key=lambda kv: -kv[1])[:5]],
            "blocking": task["ts"] < ready and end > fcp,
        })  # fmt: skip
    blocking = [t for t in tasks if t["blocking"]]
    phases: dict[str, float] = defaultdict(float)
    for t in blocking:
        phases[t["after"]] += t["ms"] - 50
    return {
        "tasks": tasks,
        "tbt_ms": round(sum(t["ms"] - 50 for t in blocking), 1),
        "fcp_ms": round((fcp - zero) / 1000),
        "ready_ms": round((ready - zero) / 1000),
        "phases": {k: round(v, 1) for k, v in phases.items()},
        "marks": [[round((ts - zero) / 1000), name] for ts, name in marks],
    }


def measure(site: Path, runs: int) -> tuple[dict, str]:
    server = start_in_thread(site)
    url = f"http://127.0.0.1:{server.server_port}/"
    visits: dict[str, list[dict]] = {"cold": [], "warm": []}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            context = browser.new_context()
            context.add_init_script(PROGRESS)
            page = context.new_page()
            visits["cold"].append(traced_visit(browser, page, url))
            page.evaluate(
                "Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(r, 30000))])"
            )
            page.goto("about:blank")
            page.goto(url + "#/chat")  # the second visit: code caches are written
            wait_until(page, f"performance.getEntriesByName('{READY}').length > 0", timeout=300_000)
            page.wait_for_timeout(1000)
            page.goto("about:blank")
            visits["warm"].append(traced_visit(browser, page, url))
            context.close()
        version = browser.version
        browser.close()
    server.shutdown()
    return visits, version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the site into DIR and stop")
    parser.add_argument("--site", type=Path, metavar="DIR", help="a site --build-only wrote")
    parser.add_argument("--name", default="boottasks", help="saved as bench/out/NAME.json")
    args = parser.parse_args()
    if args.build_only or not args.site:
        import build  # jinja2 and npm: only where the site is built

    if args.build_only:
        build.build(args.build_only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        visits, version = measure(args.site or build.build(Path(tmp) / "site"), args.runs)
    for kind, runs in visits.items():
        print(
            f"== {kind}: TBT (FCP to ready) per run {[r['tbt_ms'] for r in runs]} ms; ready {[r['ready_ms'] for r in runs]} ms"
        )
        print(table([["start ms", "ms", "after mark", "marks inside", "heaviest inside (ms)"]] + [
            [t["start_ms"], t["ms"], t["after"], ", ".join(t["marks_inside"]), "; ".join(t["inside"])] for t in runs[0]["tasks"]
        ]))  # fmt: skip
    summary = {
        kind: {"tbt_ms": statistics.median(r["tbt_ms"] for r in runs), "ready_ms": statistics.median(r["ready_ms"] for r in runs)}
        for kind, runs in visits.items()
    }  # fmt: skip
    info = machine(version)
    if not args.site:
        info["machine"] += " (shared with other engineers' work)"
    print(summary, "->", save(args.name, {"visits": visits, "summary": summary, "runs": args.runs, **info}))


if __name__ == "__main__":
    main()
