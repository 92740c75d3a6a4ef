"""wait_until: Playwright's wait_for_function, but polling with page.evaluate.

The app's Content-Security-Policy forbids evaluating strings as JavaScript, and Playwright's
wait_for_function compiles its predicate with eval inside the page; page.evaluate goes through
DevTools, which the policy does not cover. So the tests run the app under its real policy.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page

POLL_S = 0.1


def wait_until(page: Page, expression: str, arg: object = None, timeout: float = 30_000) -> object:
    """Evaluate `expression` (or call it with `arg`) until it is truthy; its value. TimeoutError
    after `timeout` ms."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout:.0f} ms: {expression[:120]}")
        time.sleep(POLL_S)
