"""Soak: 200 answers on the tiny model with cancels, page changes, new chats and reloads (some
in the middle of an answer). Every job ends, no "busy" error ever reaches the user, and the
live PyProxies, the JS heap and the wasm heap stay flat. Marked `soak` so it can run on its own
(`./dev test -m soak`); CI runs it with everything else."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.chatting import ENGINE_TIMEOUT_MS, open_chat, save_settings, send, wait_final
from tests.browser.conftest import Journey, wait_ready

pytestmark = pytest.mark.soak
ANSWERS = 200
SEGMENTS = 4  # a reload (in the middle of an answer) between segments
SEED = 20261130
BUSY_WORDS = ("busy", "Previous invocation", "still ongoing")


def measure(page: Page) -> dict[str, float]:
    """Live PyProxies (counted by DevTools after a garbage collection), JS heap and wasm heap."""
    session = page.context.new_cdp_session(page)
    session.send("HeapProfiler.collectGarbage")
    base = session.send(
        "Runtime.evaluate",
        {"expression": "(() => { let p = Object.getPrototypeOf(window.tabulaDiagnostics);"
                       " while (Object.getPrototypeOf(p) !== Object.prototype && Object.getPrototypeOf(p)) p = Object.getPrototypeOf(p);"
                       " return p; })()"},
    )["result"]["objectId"]  # fmt: skip
    found = session.send("Runtime.queryObjects", {"prototypeObjectId": base})["objects"]["objectId"]
    count = session.send(
        "Runtime.callFunctionOn",
        {"objectId": found, "functionDeclaration": "function () { return this.length; }"},
    )["result"]["value"]
    heap = session.send("Runtime.getHeapUsage")["usedSize"]
    wasm = page.evaluate("window.tabulaDiagnostics().wasm_bytes")
    session.detach()
    return {"pyproxies": count, "js_heap": heap, "wasm": wasm}


def one_answer(page: Page, rng: random.Random, n: int) -> str:
    """Ask once, then (sometimes) cancel, or go to another page and back, while it runs."""
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
    return wait_final(answer)


def test_two_hundred_answers_with_cancels_navigation_and_reloads(
    tiny_site: Path, serve, journey: Journey
) -> None:
    page, rng = journey.page, random.Random(SEED)
    url = serve(tiny_site).url
    open_chat(page, url)
    save_settings(page, max_tokens="64")
    page.get_by_role("link", name="Chat", exact=True).click()
    statuses: list[str] = []
    per_segment = ANSWERS // SEGMENTS
    samples: list[dict[str, float]] = []
    for segment in range(SEGMENTS):
        if segment:
            send(page, "A long answer cut by a reload")
            page.wait_for_timeout(rng.randint(100, 800))
            page.reload()
            wait_ready(page)
            expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
        for n in range(per_segment):
            if n % 10 == 0:
                page.get_by_role("button", name="New chat").click()
            statuses.append(one_answer(page, rng, len(statuses)))
            assert not page.locator(".msg-error").filter(has_text=BUSY_WORDS[0]).count()
            if segment == SEGMENTS - 1 and n in (9, per_segment - 1):
                samples.append(measure(page))
    assert len(statuses) == ANSWERS and set(statuses) <= {"done", "stopped", "cancelled"}, statuses
    assert statuses.count("done") >= ANSWERS // 2
    errors = " ".join(page.locator(".msg-error").all_inner_texts())
    assert not any(word in errors for word in BUSY_WORDS)
    start, end = samples
    assert end["pyproxies"] <= start["pyproxies"] + 5, samples
    assert end["js_heap"] <= start["js_heap"] * 1.25 + 2_000_000, samples
    assert end["wasm"] <= start["wasm"] * 1.10, samples
    print(f"soak: {statuses.count('done')} done, {statuses.count('stopped')} stopped, "
          f"{statuses.count('cancelled')} cancelled; start {start}; end {end}")  # fmt: skip
