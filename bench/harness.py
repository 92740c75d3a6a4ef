"""Shared bench plumbing: build a site, serve it, launch Chromium, print a table, save JSON."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "py"), str(ROOT / "bench")]

from playwright.sync_api import Playwright  # noqa: E402

OUT = ROOT / "bench" / "out"
# Another Chromium and its flags (e.g. on the lent GPU machine, ../shared/gpu/README.md), and what
# its WebGPU runs on, for the report: TABULA_CHROMIUM, TABULA_CHROMIUM_FLAGS, TABULA_WEBGPU.
CHROMIUM, FLAGS = os.environ.get("TABULA_CHROMIUM"), os.environ.get("TABULA_CHROMIUM_FLAGS", "")
WEBGPU = os.environ.get("TABULA_WEBGPU", "SwiftShader")


def launch(playwright: Playwright, webgpu: bool = True):
    """Chromium as the tests launch it (webgpu False: with WebGPU switched off, as the CPU
    engine's tests do), or the one TABULA_CHROMIUM names with its flags."""
    if CHROMIUM:
        return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS.split())
    from tests.browser.conftest import ARGS, chromium_executable

    args = (
        ARGS if webgpu else [a for a in ARGS if a != "--enable-unsafe-webgpu"] + ["--disable-features=WebGPU"]
    )
    return playwright.chromium.launch(executable_path=chromium_executable(playwright), args=args)


def machine(browser_version: str) -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, {os.cpu_count()} cores",
        "browser": f"Chromium {browser_version} headless (WebGPU on {WEBGPU})",
    }


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def table(rows: list[list[str]]) -> str:
    """A Markdown table from rows (first row is the header)."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def save(name: str, data: dict) -> Path:
    """Write bench/out/<name>.json and return its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return path
