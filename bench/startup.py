"""Startup benchmark: the app vs a bare PyScript hello-world on the same vendored runtime.

Measures first contentful paint and "Python ready" (the `tabula:python-ready` mark) for cold
(first visit, fresh profile) and warm (second visit: service worker for the app, HTTP cache for
the bare page) loads, median of N, alternating app and bare in one run. Prints a table and the
ratios, writes bench/out/startup.json. Goals: warm app ready <= 1.25x bare; shell painted before
Python is ready; precached bytes <= 45 MB. Never pass/fail: it reports.

Run: .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from harness import launch, machine, median, save, table
from playwright.sync_api import sync_playwright

import build
from devserver import start_in_thread
from tests.browser.waiting import wait_until

TIMINGS = """() => [performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
                    performance.getEntriesByName('tabula:python-ready')[0]?.startTime ?? null]"""
READY = "performance.getEntriesByName('tabula:python-ready').length > 0"
BARE_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title>
<script type="module" src="../{pyscript}/core.js"></script></head>
<body><h1>Hello from a bare PyScript page</h1>
<script type="py" config="./pyscript.json">
import js
js.performance.mark("tabula:python-ready")
</script></body></html>
"""


def write_bare_page(site: Path, paths: dict[str, str]) -> None:
    """A hello-world PyScript page in site/bare/, using the same vendored runtime."""
    (site / "bare").mkdir()
    (site / "bare" / "index.html").write_text(BARE_HTML.format(pyscript=paths["pyscript"]))
    config = {"interpreter": f"../{paths['pyodide']}/pyodide.mjs"}
    (site / "bare" / "pyscript.json").write_text(json.dumps(config))


def visit(browser, url: str, app: bool) -> tuple[list[float], list[float]]:
    """(cold [paint, ready], warm [paint, ready]) for one fresh profile."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    wait_until(page, READY, timeout=120_000)
    cold = page.evaluate(TIMINGS)
    if app:  # let the service worker finish precaching so the second visit is served by it
        page.evaluate("navigator.serviceWorker.ready")
    page.goto("about:blank")
    page.goto(url)
    wait_until(page, READY, timeout=120_000)
    warm = page.evaluate(TIMINGS)
    context.close()
    return cold, warm


def measure(site: Path, runs: int) -> dict:
    """Alternate app and bare visits; return the medians and raw samples."""
    server = start_in_thread(site)
    base = f"http://127.0.0.1:{server.server_port}/"
    samples: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            for name, url, app in (("app", base, True), ("bare", base + "bare/", False)):
                cold, warm = visit(browser, url, app)
                for kind, (paint, ready) in (("cold", cold), ("warm", warm)):
                    samples.setdefault(f"{name} {kind} paint", []).append(paint)
                    samples.setdefault(f"{name} {kind} ready", []).append(ready)
        version = browser.version
        browser.close()
    server.shutdown()
    return {"samples": samples, "medians": {k: median(v) for k, v in samples.items()}, "browser": version}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        site = build.build(Path(tmp) / "site")
        config = json.loads((site / "config.json").read_text())
        write_bare_page(site, config["paths"])
        precached = sum(
            (site / url).stat().st_size for url in build.precache_list(site) if "bare/" not in url
        )
        result = measure(site, runs)
    m = result["medians"]
    ratios = {
        "warm ready app/bare": round(m["app warm ready"] / m["bare warm ready"], 3),
        "cold ready app/bare": round(m["app cold ready"] / m["bare cold ready"], 3),
        "app warm paint before ready": m["app warm paint"] < m["app warm ready"],
        "app cold paint before ready": m["app cold paint"] < m["app cold ready"],
        "precached MB": round(precached / 1e6, 1),
    }
    rows = [["load", "app paint ms", "app ready ms", "bare paint ms", "bare ready ms"]]
    for kind in ("cold", "warm"):
        rows.append(
            [kind, *(m[f"{who} {kind} {what}"] for who in ("app", "bare") for what in ("paint", "ready"))]
        )
    print(table(rows))
    for key, value in ratios.items():
        print(f"{key}: {value}")
    info = machine(result.pop("browser"))
    print(f"runs={runs} · {info['machine']} · {info['browser']}")
    print("->", save("startup", {**result, "ratios": ratios, "runs": runs, **info}))


if __name__ == "__main__":
    main()
