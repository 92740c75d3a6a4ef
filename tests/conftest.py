"""How the suite is spread over pyproject's two test processes (pytest-xdist, `--dist loadgroup
--no-loadscope-reorder`: a group runs whole in one process, groups are handed out in the order
collected).

Every Chromium test is in one group, run one after another as before, soak first. The other
process takes the unit tests, then the Firefox and WebKit journeys (their browsers run in
subprocesses of their own). Two Chromium test processes at once were tried: they took 29 minutes
instead of about 45, but one of the two browsers' pages crashed ("Target crashed") in 15 tests of
one run here, for reasons not found, so Chromium keeps one process. The unit tests also must not
share a process with Playwright: its sync API keeps an event loop running, and a unit test's own
`asyncio.run` cannot start beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
ELSEWHERE = {HERE / "browser" / "test_firefox.py", HERE / "browser" / "test_webkit.py"}


def _group(item: pytest.Item) -> str:
    return "side" if (HERE / "unit") in item.path.parents or item.path in ELSEWHERE else "chromium"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def order(item: pytest.Item) -> int:
        return 0 if item.get_closest_marker("soak") else 1 if _group(item) == "chromium" else 2

    items.sort(key=order)  # stable: each file keeps its tests' order
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
