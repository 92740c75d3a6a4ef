"""WebKit, the engine of every iPad browser: WebKitGTK driven in-process (drivers/webkit.py, Debian's
python3-gi under xvfb-run) with a persistent profile, first with WebKitGTK's defaults (no Storage
API, as some web views), then with the storage features Safari ships. One journey; `.ci/run`
installs what it needs, elsewhere the test is skipped. The CPU engine's answer needs wllama's
Safari build (@wllama/wllama-compat: no wasm Memory64 in WebKit); its steps run when package.json
has it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tabula.models.transfers import CANNOT_KEEP
from tests.browser.conftest import project_path
from tests.browser.other_browsers import (
    DRIVERS,
    ROOT,
    evidence,
    exported_messages,
    failed,
    run_driver,
    site_process,
)

PYTHON = "/usr/bin/python3"


def webkit_installed() -> bool:
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    return bool(shutil.which("xvfb-run")) and subprocess.run([PYTHON, "-c", probe], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not webkit_installed(), reason="no WebKitGTK: apt-get install gir1.2-webkit2-4.1 "
                                "python3-gi-cairo xvfb xauth (.ci/run does)")  # fmt: skip
ANSWERS = "@wllama/wllama-compat" in json.loads((ROOT / "package.json").read_text())["dependencies"]
STEPS = ["boot", "Models page without storage", "boot after reload", "Models page device report",
         "import tiny.gguf", "stored as whole chunks, nothing half-written",
         *(["engine ready", "answer"] if ANSWERS else []), "export the conversation", "boot offline",
         *(["engine ready offline (model from OPFS)"] if ANSWERS else [])]  # fmt: skip
CONSOLE_ERROR = re.compile(r"^CONSOLE \w+ ERROR .*", re.MULTILINE)


def test_webkit_journey(built_site: Path, tmp_path: Path) -> None:
    """Boot with no Storage API: the Models page says models cannot be kept, in a sentence. Then
    with Safari's storage: the device report (OPFS), the offline copy, the tiny GGUF imported into
    whole chunks, (the answer,) the conversation exported, an offline boot (the model from OPFS);
    no console error, the engine's own included (the CSP and viewport errors are gone)."""
    started = time.monotonic()
    with site_process(built_site) as (url, server):
        env = {"BASE": url, "TINY": str(project_path("tiny-gguf")), "SERVER_PID": str(server.pid),
               "ANSWER": "1" if ANSWERS else "0"}  # fmt: skip
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", PYTHON, str(DRIVERS / "webkit.py")]
        result = run_driver(command, env, tmp_path, timeout=420)
    print(f"WebKitGTK {result.get('webkit')}: journey {time.monotonic() - started:.0f} s")
    assert failed(result) == [], failed(result)
    assert [step["name"] for step in result["steps"]] == STEPS
    device = evidence(result, "Models page device report")["device"]
    assert "private files (OPFS, writable streams)" in device, device
    assert "the Safari build" in device and "no shared memory for wasm threads" in device, device
    assert "Hello" in exported_messages(result)
    bare = evidence(result, "Models page without storage")
    assert CANNOT_KEEP in bare["catalogue"] and "none: this browser cannot keep models" in bare["device"], bare
    assert result["errors"] == []
    assert CONSOLE_ERROR.findall((tmp_path / "driver.log").read_text()) == []
