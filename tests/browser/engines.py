"""Helpers that reach the engine where it runs: its own dedicated worker (MediaPipe's
pwa/js/engine_mediapipe.js, wllama's pwa/js/engine_wllama.js), through Playwright's worker handles."""

from __future__ import annotations

import time

from playwright.sync_api import Page, Worker, expect

from tests.browser.waiting import wait_until

SCRIPT = "/js/engine_mediapipe.js"  # the CPU engine's: /js/engine_wllama.js


def engine_workers(page: Page, script: str = SCRIPT) -> list[Worker]:
    """The engine workers running `script` in `page` that are alive (Playwright drops ended ones)."""
    return [worker for worker in page.workers if worker.url.endswith(script)]


def engine_worker(page: Page, script: str = SCRIPT, timeout: float = 30.0) -> Worker:
    """The page's engine worker (waits until the page says exactly one engine host is alive and
    Playwright has seen a worker running `script`; the newest)."""
    wait_until(page, "window.tabulaDiagnostics && window.tabulaDiagnostics().engine_hosts === 1")
    deadline = time.monotonic() + timeout
    while not (workers := engine_workers(page, script)):
        assert time.monotonic() < deadline, [worker.url for worker in page.workers]
        page.wait_for_timeout(50)
    return workers[-1]  # the newest: an ended one may not have been dropped by Playwright yet


def in_engine(page: Page, script: str, worker: str = SCRIPT) -> object:
    """Evaluate `script` (a function's source) in the page's engine worker running `worker`."""
    return engine_worker(page, worker).evaluate(script)


def rebuilt_engine(page: Page, old: Worker, script: str = SCRIPT, timeout: float = 60.0) -> Worker:
    """The engine worker that replaced `old` once new settings rebuilt the engine (a new token
    budget, temperature or seed): `old` has ended and its successor's model is loaded. A script
    put into `old` is lost with it, and one that throws in the successor ends that worker too
    (the app takes an uncaught error as a crashed engine)."""
    deadline = time.monotonic() + timeout
    while old in page.workers:
        assert time.monotonic() < deadline, "the engine was not rebuilt"
        page.wait_for_timeout(50)
    worker = engine_worker(page, script)
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=timeout * 1000)
    return worker


def gpu_devices_alive(page: Page) -> int:
    """GPU devices alive on this page's behalf: those of its one engine worker (asked for and
    not destroyed), after checking that no other engine host is alive."""
    stats = in_engine(page, "() => self.tabulaEngine.stats()")
    return stats["requested"] - stats["destroyed"]


def no_engine_worker(page: Page, timeout: float = 5.0) -> bool:
    """True once `page` has no MediaPipe engine worker alive (False after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while engine_workers(page):
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)
    return True
