"""Startup benchmark: the app vs a bare PyScript hello-world on the same vendored runtime.

Measures first contentful paint and "Python ready" (the `tabula:python-ready` mark) for cold
(first visit, fresh profile) and warm loads, median of N, alternating app and bare in one run.
Both sides start warm visits from the same cache state: each is served by a service worker that
precached the same vendored runtime (the app by its own, the bare page by bench/bare_sw.js, a
cache-first worker over the same PyScript and Pyodide files), and "warm" is the third visit of
the profile, when V8's script and wasm code caches have been written for both (the second visit
is reported too: Chromium writes a script's code cache only on its second load from the HTTP
cache, but at once for a script a service worker precached). Prints a table and the ratios,
writes bench/out/startup.json. Goals: warm app ready <= 1.1x bare; shell painted before Python is
ready; precached bytes <= 45 MB. Never pass/fail: it reports.

Run: .venv/bin/python bench/startup.py [--runs 5]; elsewhere (the GPU machine, bench/gpu.md):
`--build-only DIR` here, then `--site DIR` there (Playwright and the stdlib only).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from harness import ROOT, launch, machine, median, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.waiting import wait_until

TIMINGS = """() => [performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
                    performance.getEntriesByName('tabula:python-ready')[0]?.startTime ?? null]"""
READY = "performance.getEntriesByName('tabula:python-ready').length > 0"
BARE_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title>
<script type="module" src="../{pyscript}/core.js"></script>
<script>navigator.serviceWorker.register("./sw.js")</script></head>
<body><h1>Hello from a bare PyScript page</h1>
<script type="py" config="./pyscript.json">
import js
js.performance.mark("tabula:python-ready")
</script></body></html>
"""


def write_bare_page(site: Path, paths: dict[str, str], precached: list[str]) -> None:
    """A hello-world PyScript page in site/bare/, using the same vendored runtime, with a
    service worker that precaches that runtime as the app's does."""
    (site / "bare").mkdir()
    (site / "bare" / "index.html").write_text(BARE_HTML.format(pyscript=paths["pyscript"]))
    config = {"interpreter": f"../{paths['pyodide']}/pyodide.mjs"}
    (site / "bare" / "pyscript.json").write_text(json.dumps(config))
    runtime = [url for url in precached if url.startswith((paths["pyscript"] + "/", paths["pyodide"] + "/"))]
    (site / "bare" / "precache.json").write_text(
        json.dumps(["./", "index.html", "pyscript.json", *[f"../{u}" for u in runtime]])
    )
    shutil.copy(ROOT / "bench" / "bare_sw.js", site / "bare" / "sw.js")


VISITS = ("cold", "second", "warm")  # first, second and third visit of one fresh profile


def visit(browser, url: str) -> list[list[float]]:
    """[paint, ready] of each of VISITS for one fresh profile."""
    context = browser.new_context()
    page = context.new_page()
    marks = []
    for number in range(len(VISITS)):
        if number:
            page.goto("about:blank")
        page.goto(url)
        wait_until(page, READY, timeout=120_000)
        marks.append(page.evaluate(TIMINGS))
        # the service worker has precached (and controls the next visit); let code caches settle
        page.evaluate("navigator.serviceWorker.ready.then(() => new Promise((r) => setTimeout(r, 1000)))")
    context.close()
    return marks


def measure(site: Path, runs: int) -> dict:
    """Alternate app and bare visits; return the medians and raw samples."""
    server = start_in_thread(site)
    base = f"http://127.0.0.1:{server.server_port}/"
    samples: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            for name, url in (("app", base), ("bare", base + "bare/")):
                for kind, (paint, ready) in zip(VISITS, visit(browser, url), strict=True):
                    samples.setdefault(f"{name} {kind} paint", []).append(paint)
                    samples.setdefault(f"{name} {kind} ready", []).append(ready)
        version = browser.version
        browser.close()
    server.shutdown()
    return {"samples": samples, "medians": {k: median(v) for k, v in samples.items()}, "browser": version}


def build_site(out: Path) -> Path:
    """The app's site with the bare page in out/bare/, and the precached bytes in out/startup.json."""
    import build  # jinja2 and npm: only where the site is built (not on the GPU machine)

    site = build.build(out)
    precache = list(build.precache_list(site))
    write_bare_page(site, json.loads((site / "config.json").read_text())["paths"], precache)
    size = sum((site / url).stat().st_size for url in precache)
    (site / "startup.json").write_text(json.dumps({"precached": size}))
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the site into DIR and stop")
    parser.add_argument("--site", type=Path, metavar="DIR", help="a site --build-only wrote")
    args = parser.parse_args()
    if args.build_only:
        build_site(args.build_only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_site(Path(tmp) / "site")
        precached = json.loads((site / "startup.json").read_text())["precached"]
        result = measure(site, args.runs)
    m = result["medians"]
    ratios = {
        "warm ready app/bare": round(m["app warm ready"] / m["bare warm ready"], 3),
        "second ready app/bare": round(m["app second ready"] / m["bare second ready"], 3),
        "cold ready app/bare": round(m["app cold ready"] / m["bare cold ready"], 3),
        "app warm paint before ready": m["app warm paint"] < m["app warm ready"],
        "app cold paint before ready": m["app cold paint"] < m["app cold ready"],
        "precached MB": round(precached / 1e6, 1),
    }
    rows = [["load", "app paint ms", "app ready ms", "bare paint ms", "bare ready ms"]]
    for kind in VISITS:
        rows.append(
            [kind, *(m[f"{who} {kind} {what}"] for who in ("app", "bare") for what in ("paint", "ready"))]
        )
    print(table(rows))
    for key, value in ratios.items():
        print(f"{key}: {value}")
    info = machine(result.pop("browser"))
    print(f"runs={args.runs} · {info['machine']} · {info['browser']}")
    print("->", save("startup", {**result, "ratios": ratios, "runs": args.runs, **info}))


if __name__ == "__main__":
    main()
