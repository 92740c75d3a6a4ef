"""How the suite is spread over pyproject's two test processes (pytest-xdist, `--dist loadgroup
--no-loadscope-reorder`: a group runs whole in one process, groups are handed out in the order
collected).

Every test of Chromium with WebGPU is in one group, run one after another as before, soak first.
The other process takes the unit tests, then the Firefox and WebKit journeys (their browsers run
in subprocesses of their own), the files that use only the Chromium with WebGPU off (the CPU
and Transformers.js engines) and the files whose Chromium never runs a model on WebGPU (the shell,
appearance, offline and cloud files: their own Chromium in that process only boots pages). Two processes each with WebGPU Chromium tests were tried: they took
29 minutes instead of about 45, but in one of them the tiny model's loads hung and pages crashed
("Target crashed") in 15 tests of one run here, for reasons not found (the WebGPU-off files
passed in that process all the same), so WebGPU keeps one process. The unit tests also must not
share a process with Playwright: its sync API keeps an event loop running, and a unit test's own
`asyncio.run` cannot start beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
ELSEWHERE = {  # no model on WebGPU in these: other browsers, no_webgpu_browser, or no model at all
    HERE / "browser" / name
    for name in (
        *("test_firefox.py", "test_webkit.py", "test_cpu_engine.py", "test_transformers_engine.py"),
        "test_sets_unserved.py",
        *("test_shell.py", "test_appearance.py", "test_offline.py", "test_cloud.py"),
    )
}


def _group(item: pytest.Item) -> str:
    return "side" if (HERE / "unit") in item.path.parents or item.path in ELSEWHERE else "chromium"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def order(item: pytest.Item) -> int:
        return 0 if item.get_closest_marker("soak") else 1 if _group(item) == "chromium" else 2

    items.sort(key=order)  # stable: each file keeps its tests' order
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
