"""Helpers for the journeys in other browser engines (test_firefox.py, test_webkit.py): the built
site served by a process of its own (the driver kills it for the offline step), and a driver run
as a subprocess whose JSON result the test asserts on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = Path(__file__).resolve().parent / "drivers"
SERVE = "import sys; from pathlib import Path; from devserver import serve_forever; serve_forever(Path(sys.argv[1]), port=0)"


@contextmanager
def site_process(root: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """(url, process) of a server for `root` on a free port of 127.0.0.1."""
    server = subprocess.Popen([sys.executable, "-u", "-c", SERVE, str(root)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        found = re.search(r"http://\S+", server.stdout.readline())
        assert found, "the site's server did not start"
        yield found.group(0), server
    finally:
        server.kill()
        server.wait()


def run_driver(command: list[str], env: dict[str, str], out: Path, timeout: float) -> dict:
    """Run a journey driver with `env` and OUT=`out`; its result.json. Its output goes to
    out/driver.log."""
    with (out / "driver.log").open("w") as log:
        done = subprocess.run(command, env={**os.environ, **env, "OUT": str(out)}, stdout=log,
                              stderr=subprocess.STDOUT, timeout=timeout, check=False)  # fmt: skip
    result = out / "result.json"
    if not result.is_file():
        pytest.fail(f"{command[0]} wrote no result (exit {done.returncode}):\n{(out / 'driver.log').read_text()[-3000:]}")
    return json.loads(result.read_text())


def failed(result: dict) -> list[dict]:
    return [step for step in result["steps"] if not step["ok"]]


def evidence(result: dict, name: str) -> object:
    return next(step["evidence"] for step in result["steps"] if step["name"] == name)


def exported_messages(result: dict) -> list[str]:
    """The texts of the messages in the JSON file the journey exported."""
    exported = json.loads(result["exported"])
    assert exported["format"] == "tabula.conversations", exported
    return [m["text"] for c in exported["conversations"] for m in c["messages"]]
