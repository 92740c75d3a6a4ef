"""Soak: 96 answers on the tiny model with cancels, page changes, new chats and reloads (in the
middle of an answer). Every job ends, no "busy" error ever reaches the user, and after a warm-up
the JS values Python holds, the live PyProxies, the Python objects, the JS heap and the wasm heap
stay flat. Marked `soak` so it can run on its own (`./dev test -m soak`); CI runs it with the
rest. TABULA_SOAK_ANSWERS=20 gives a quick look.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.chatting import ENGINE_TIMEOUT_MS, FINAL, open_chat, save_settings, send, wait_final
from tests.browser.conftest import Journey, wait_ready
from tests.browser.engines import in_engine

pytestmark = pytest.mark.soak
ANSWERS = int(os.environ.get("TABULA_SOAK_ANSWERS", "96"))
RELOADS = 4  # one every ANSWERS / 8 answers in the first half; the second half runs unbroken
SEED = 20261130
BUSY = "engine was busy"


def measure(page: Page) -> dict[str, float]:
    """The app's own diagnostics after a garbage collection in JS and in Python."""
    session = page.context.new_cdp_session(page)
    session.send("HeapProfiler.collectGarbage")
    session.detach()
    facts = page.evaluate("window.tabulaDiagnostics()")
    facts["js_heap"] = page.evaluate("performance.memory.usedJSHeapSize")
    facts["engine_wasm_bytes"] = in_engine(page, "() => self.tabulaEngine.heap()")
    return facts


def one_answer(page: Page, rng: random.Random, n: int) -> str:
    """Ask once; sometimes cancel it, or leave for another page and come back, while it runs."""
    answer = send(page, f"Question {n}: tell me about rivers")
    roll = rng.random()
    if roll < 0.2:
        page.wait_for_timeout(rng.randint(0, 400))
        with contextlib.suppress(PlaywrightTimeout):  # the answer may end before the click lands
            answer.locator('button[data-action="cancel"]').click(timeout=1500)
    elif roll < 0.35:
        page.get_by_role("link", name=rng.choice(["Models", "Settings", "Study"]), exact=True).click()
        page.wait_for_timeout(rng.randint(0, 300))
        page.get_by_role("link", name="Chat", exact=True).click()
        answer = page.locator("article.msg.model").last
    status = wait_final(answer)
    if status == "failed":
        print("failed:", answer.inner_text())
    return status


def start_counting(page: Page) -> None:
    """Turn on PyProxy counting, and prove it counts: a freshly loaded engine holds one (its
    device-lost callback; tokens are pulled, so an answer makes none)."""
    page.evaluate("window.tabulaDiagnostics('trace')")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Restart engine").click()
    page.get_by_role("link", name="Chat", exact=True).click()
    assert wait_final(send(page, "Counting proxies")) in FINAL  # answered by the rebuilt engine
    assert page.evaluate("window.tabulaDiagnostics().pyproxies") >= 1


def reload_mid_answer(page: Page, rng: random.Random) -> None:
    send(page, "A long answer cut by a reload")
    page.wait_for_timeout(rng.randint(100, 800))
    page.reload()
    wait_ready(page)
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)


def flat(start: dict[str, float], end: dict[str, float]) -> list[str]:
    """What grew beyond noise between the two samples."""
    limits = {
        "js_refs": start["js_refs"] + 20,
        "pyproxies": start["pyproxies"] + 20,
        "python_objects": start["python_objects"] * 1.05 + 500,
        "js_heap": start["js_heap"] * 1.25 + 2_000_000,
        "wasm_bytes": start["wasm_bytes"] * 1.10,
        "engine_wasm_bytes": start["engine_wasm_bytes"] * 1.10,
    }
    return [f"{key}: {start[key]} → {end[key]}" for key, limit in limits.items() if end[key] > limit]


def test_many_answers_with_cancels_navigation_and_reloads(
    tiny_site: Path, serve, journey: Journey
) -> None:
    page, rng = journey.page, random.Random(SEED)
    open_chat(page, serve(tiny_site).url)
    save_settings(page, max_tokens="64")  # the cycles matter here, not the length of each answer
    page.get_by_role("link", name="Chat", exact=True).click()
    statuses: list[str] = []
    samples: list[dict[str, float]] = []
    reload_every, began = max(1, ANSWERS // (2 * RELOADS)), time.monotonic()
    for n in range(ANSWERS):
        if n and n % reload_every == 0 and n <= ANSWERS // 2:
            reload_mid_answer(page, rng)
        if n % 10 == 0:
            page.get_by_role("button", name="New chat").click()
        statuses.append(one_answer(page, rng, n))
        assert not page.locator(".msg-error").filter(has_text=BUSY).count(), f"busy error at answer {n}"
        if n == ANSWERS // 2 + 5:  # warmed up after the last reload
            start_counting(page)
            samples.append(measure(page))
    samples.append(measure(page))
    seconds = time.monotonic() - began
    print(f"soak: {len(statuses)} answers in {seconds:.0f} s: {statuses.count('done')} done, "
          f"{statuses.count('stopped')} stopped, {statuses.count('cancelled')} cancelled; {samples}")  # fmt: skip
    assert len(statuses) == ANSWERS and set(statuses) <= {"done", "stopped", "cancelled"}, statuses
    assert statuses.count("done") >= ANSWERS // 2
    assert samples[0]["engine_wasm_bytes"] > 0, "MediaPipe's heap was not found"
    assert flat(*samples) == []
    assert BUSY not in " ".join(page.locator(".msg-error").all_inner_texts())
