"""Run a coroutine to completion from a synchronous test, even when the calling thread already
has a running event loop (Playwright's sync API leaves one behind in the same process)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T], timeout: float = 20) -> T:
    """asyncio.run(coro) on a fresh thread, with a time limit."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()
