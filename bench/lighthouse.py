"""Cold visit: total blocking time and layout shift, by Lighthouse (desktop and mobile presets)
and by our own Playwright measure (for machines without Node, e.g. the lent GPU machine).

Lighthouse (pinned in bench/lighthouse/package.json, installed on demand there with
`npm ci --prefix bench/lighthouse`, outside the app's package.json) runs its performance
category against the built site served on 127.0.0.1, with Chromium from CHROME_PATH (default
/usr/bin/chromium; TABULA_CHROMIUM if set) and the tests' launch flags. Reports the medians and
the spread of TBT, TTI, FCP and CLS for each preset. Goals: desktop TBT <= 2 s; mobile CLS <= 0.05.

`--playwright` measures instead, in a fresh profile (cold, nothing cached, no throttling): the
total blocking time from first contentful paint until the app is interactive (the
`tabula:python-ready` mark), i.e. the sum over long tasks in that span of (duration - 50 ms),
the long tasks themselves, FCP, and the layout shift until 1 s after ready (the first paint by
Python lands just after the mark) at desktop and phone sizes.

Run: .venv/bin/python bench/lighthouse.py [--runs 3] [--playwright]   (bench/out/lighthouse.json
or lighthouse-playwright.json); elsewhere: `--build-only DIR` here, `--site DIR --playwright`
there (Playwright and the stdlib only).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

from harness import CHROMIUM, ROOT, launch, machine, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.waiting import wait_until

HERE = ROOT / "bench" / "lighthouse"
CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
FLAGS = "--no-sandbox --headless=new --enable-unsafe-webgpu --disable-background-networking "
FLAGS += "--disable-component-update --disable-sync --no-first-run"
AUDITS = {"tbt_ms": "total-blocking-time", "tti_ms": "interactive", "fcp_ms": "first-contentful-paint",
          "cls": "cumulative-layout-shift"}  # fmt: skip
VIEWS = {"desktop": {"width": 1350, "height": 940}, "mobile": {"width": 412, "height": 823}}
OBSERVE = """() => {
  const m = window.__cold = {longtasks: [], shifts: []};
  new PerformanceObserver((list) => { for (const e of list.getEntries()) m.longtasks.push([e.startTime, e.duration]); })
    .observe({type: 'longtask', buffered: true});
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) m.shifts.push([e.startTime, e.value]); })
    .observe({type: 'layout-shift', buffered: true});
}"""
MARKS = """() => ({...window.__cold,
  fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
  ready: performance.getEntriesByName('tabula:python-ready')[0]?.startTime ?? null})"""


def installed() -> Path:
    """Lighthouse's CLI, installed from bench/lighthouse/package-lock.json the first time."""
    if not CLI.is_file():
        subprocess.run(["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True)
    return CLI


def lighthouse_once(url: str, preset: str, folder: Path) -> dict:
    """One Lighthouse run (performance only); the audits' numeric values."""
    report = folder / f"{preset}.json"
    command = ["node", str(installed()), url, "--only-categories=performance", "--output=json"]
    command += [f"--output-path={report}", f"--chrome-flags={FLAGS}", "--quiet"]
    command += ["--preset=desktop"] if preset == "desktop" else []
    env = {**os.environ, "CHROME_PATH": CHROMIUM or "/usr/bin/chromium"}
    subprocess.run(command, check=True, env=env, timeout=600)
    lhr = json.loads(report.read_text())
    agent = re.search(r"Chrome/(\S+)", lhr["environment"]["hostUserAgent"])
    return {"browser": agent.group(1) if agent else "?"} | {
        key: lhr["audits"][name].get("numericValue") for key, name in AUDITS.items()
    }


def playwright_once(browser, url: str, view: str) -> dict:
    """One cold visit in a fresh profile: TBT from FCP to ready, long tasks, FCP, shift to ready."""
    context = browser.new_context(viewport=VIEWS[view])
    page = context.new_page()
    page.add_init_script(f"({OBSERVE})()")
    page.goto(url + "#/chat")
    wait_until(page, "performance.getEntriesByName('tabula:python-ready').length > 0", timeout=300_000)
    page.wait_for_timeout(1500)  # the first paint's shift lands after ready; the observers deliver late
    m = page.evaluate(MARKS)
    context.close()
    tasks = [
        (start, took) for start, took in m["longtasks"] if start + took > m["fcp"] and start < m["ready"]
    ]
    return {
        "tbt_ms": round(sum(max(0.0, took - 50) for _, took in tasks), 1),
        "fcp_ms": round(m["fcp"], 1),
        "ready_ms": round(m["ready"], 1),
        "cls": round(sum(value for start, value in m["shifts"] if start <= m["ready"] + 1000), 4),
        "longtasks": [[round(start), round(took)] for start, took in m["longtasks"]],
    }


def medians(runs: list[dict]) -> dict:
    keys = [key for key, value in runs[0].items() if isinstance(value, int | float)]
    return {key: round(statistics.median(run[key] for run in runs), 4 if key == "cls" else 1) for key in keys}


def measure(site: Path, runs: int, use_playwright: bool) -> tuple[dict, str]:
    """{view: {"runs": [...], "median": {...}}} and the browser."""
    server = start_in_thread(site)
    url = f"http://127.0.0.1:{server.server_port}/"
    results: dict[str, list[dict]] = {view: [] for view in VIEWS}
    if use_playwright:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            version = browser.version
            for _ in range(runs):
                for view in VIEWS:
                    results[view].append(playwright_once(browser, url, view))
            browser.close()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(runs):
                for view in VIEWS:
                    results[view].append(lighthouse_once(url, view, Path(tmp)))
        version = results["desktop"][0]["browser"]
    server.shutdown()
    return {view: {"runs": rs, "median": medians(rs)} for view, rs in results.items()}, version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--playwright", action="store_true", help="our own measure, no Lighthouse")
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the site into DIR and stop")
    parser.add_argument("--site", type=Path, metavar="DIR", help="a site --build-only wrote")
    parser.add_argument("--name", default="", help="saved as bench/out/NAME.json")
    args = parser.parse_args()
    if args.build_only:
        import build  # jinja2 and npm: only where the site is built

        build.build(args.build_only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.site is None:
            import build

        site = args.site or build.build(Path(tmp) / "site")
        views, version = measure(site, args.runs, args.playwright)
    keys = list(views["desktop"]["median"])
    print(table([["view", *keys]] + [[view, *(v["median"][k] for k in keys)] for view, v in views.items()]))
    for view, v in views.items():
        print(view, "per run:", {k: [run[k] for run in v["runs"]] for k in keys})
    info = machine(version)
    if not args.site:
        info["machine"] += " (shared with other engineers' work)"
    tool = "Playwright, cold visit, no throttling" if args.playwright else "Lighthouse 12.2.3"
    name = "lighthouse-playwright" if args.playwright else "lighthouse"
    print("->", save(args.name or name, {"views": views, "runs": args.runs, "tool": tool, **info}))


if __name__ == "__main__":
    main()
