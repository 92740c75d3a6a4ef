"""Firefox ESR (Debian's firefox-esr over WebDriver BiDi, driven by Puppeteer:
drivers/firefox.mjs): one journey through what a person does, in one browser. `.ci/run` installs
it; elsewhere the test is skipped when Firefox is not installed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.browser.conftest import project_path
from tests.browser.other_browsers import (
    DRIVERS,
    evidence,
    exported_messages,
    failed,
    run_driver,
    site_process,
)

FIREFOX = Path("/usr/bin/firefox-esr")
pytestmark = pytest.mark.skipif(not FIREFOX.is_file() or not shutil.which("node"),
                                reason="no Firefox ESR: apt-get install firefox-esr (.ci/run does)")  # fmt: skip
STEPS = ["boot", "Models page device report", "boot after reload", "import tiny.gguf", "engine ready", "answer",
         "export the conversation", "boot offline", "engine ready offline (model from OPFS)"]  # fmt: skip


def test_firefox_journey(built_site: Path, tmp_path: Path) -> None:
    """Boot, the device report (OPFS with writable streams), the offline copy, the tiny GGUF
    imported and answering on the CPU engine, the conversation exported, then everything again
    with the site's server gone; no console error."""
    started = time.monotonic()
    with site_process(built_site) as (url, server):
        env = {"BASE": url, "TINY": str(project_path("tiny-gguf")), "SERVER_PID": str(server.pid)}
        result = run_driver(["node", str(DRIVERS / "firefox.mjs")], env, tmp_path, timeout=300)
    print(f"Firefox {result.get('version')}: journey {time.monotonic() - started:.0f} s")
    assert failed(result) == [], failed(result)
    assert [step["name"] for step in result["steps"]] == STEPS
    device = evidence(result, "Models page device report")["device"]
    assert "private files (OPFS, writable streams)" in device and "the main build" in device, device
    answer = evidence(result, "answer")
    assert answer["status"] == "done" and answer["text"].strip(), answer
    assert "Hello" in exported_messages(result)
    assert result["errors"] == []
