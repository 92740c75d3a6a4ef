"""Startup layout shift: how much of the page moves when Python replaces the static shell with
the app's first paint (PerformanceObserver 'layout-shift', summed as CLS does, without input),
on a phone-sized and a desktop-sized viewport, for this tree's app and, with --before, another
revision's. Goal: <= 0.05 (issue 15; Lighthouse's mobile preset measured 0.30).

Run: .venv/bin/python bench/shift.py [--runs 3] [--before REV]   (saves bench/out/shift.json)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from harness import launch, machine, save, table
from longchat import exported
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.conftest import catalog_file
from tests.browser.waiting import wait_until

VIEWPORTS = {
    "phone 412×823": {"width": 412, "height": 823},
    "desktop 1350×940": {"width": 1350, "height": 940},
}
OBSERVE = """window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push([e.value, e.sources?.map((s) => s.node?.id || s.node?.className || s.node?.nodeName || '?') ?? []]);
}).observe({type: 'layout-shift', buffered: true});"""


def build_tree(tree: Path, out: Path) -> Path:
    import subprocess
    import sys

    catalog = catalog_file(out.parent, [])
    command = [sys.executable, str(tree / "build.py"), "--out", str(out), "--catalog", str(catalog)]
    subprocess.run(command, cwd=tree, check=True, capture_output=True)
    return out


def one_visit(browser, url: str, viewport: dict) -> tuple[float, list]:
    context = browser.new_context(viewport=viewport)
    context.add_init_script(OBSERVE)
    page = context.new_page()
    page.goto(url + "#/chat")
    wait_until(page, "document.documentElement.dataset.tabula === 'ready'", timeout=120_000)
    page.wait_for_timeout(1500)  # what the first paints move, and the idle work after them
    shifts = page.evaluate("window.__shifts")
    context.close()
    return sum(value for value, _ in shifts), shifts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", default="")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    results: dict[str, dict[str, float]] = {}
    sources: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        trees = {"after": root, **({"before": exported(args.before, folder)} if args.before else {})}
        servers = {
            side: start_in_thread(build_tree(tree, folder / f"site-{side}")) for side, tree in trees.items()
        }
        browser = launch(playwright)
        version = browser.version
        for side, server in servers.items():
            for name, viewport in VIEWPORTS.items():
                runs = [
                    one_visit(browser, f"http://127.0.0.1:{server.server_port}/", viewport)
                    for _ in range(args.runs)
                ]
                results.setdefault(side, {})[name] = round(statistics.median(cls for cls, _ in runs), 3)
                sources[f"{side} {name}"] = runs[0][1]
        browser.close()
        for server in servers.values():
            server.shutdown()
    print(
        table(
            [["layout shift at startup", *results]]
            + [[n, *(str(r[n]) for r in results.values())] for n in VIEWPORTS]
        )
    )
    print(sources)
    data = {
        **machine(version),
        "medians": results,
        "sources": sources,
        "before": args.before,
        "runs": args.runs,
    }
    save("shift", data)


if __name__ == "__main__":
    main()
