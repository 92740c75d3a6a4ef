"""The engine and Settings: nothing is fetched without a press, a new seed or temperature reaches
the next answer with no reload, and an engine given up frees its GPU device before the next loads."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.chatting import open_chat, save_settings, send, wait_final
from tests.browser.conftest import Site, open_app, record
from tests.browser.engines import gpu_devices_alive

# Nothing happens when nothing is fetched, so absence is proven by waiting: longer than the old
# code took to begin a model load after Save (well under a second on this machine).
QUIET_MS = 5_000
# Every fetch the page attempts, even one the Content-Security-Policy blocks before it leaves.
WATCH_VIOLATIONS = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.blockedURI));
}"""


def off_origin(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlsplit(u).hostname not in (None, "127.0.0.1") and not u.startswith(("data:", "blob:"))
    ]


def test_settings_on_the_shipped_site_with_no_model_fetch_nothing(site: Site, context) -> None:
    """The default build (the real catalogue, no model embedded), a fresh profile: saving a new
    Max tokens, then Restore defaults, must not start loading Gemma from Hugging Face."""
    page = context.new_page()
    journey = record(page, context)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    open_app(page, site.url + "#/settings")
    page.evaluate(WATCH_VIOLATIONS)
    engine = page.get_by_role("status", name="Engine")
    expect(engine).to_have_text("No model")
    save_settings(page, max_tokens="512")
    page.wait_for_timeout(QUIET_MS)
    page.get_by_role("button", name="Restore defaults").click()
    expect(page.locator("#settings-status")).to_contain_text("Defaults restored.")
    page.wait_for_timeout(QUIET_MS)
    attempted = off_origin(journey.requests) + off_origin(failed) + page.evaluate("window.__violations")
    assert attempted == [], "a model download began without a press"
    expect(engine).to_have_text("No model")
    assert page.locator("#max_tokens").input_value() == "1024"  # the defaults were saved
    assert journey.errors == []


def story(page: Page, seed: str) -> str:
    """Set the seed (sampling on), start a new chat and return the answer to one question."""
    save_settings(page, temperature="1.5", top_k="40", seed=seed)
    page.get_by_role("link", name="Chat", exact=True).click()
    page.get_by_role("button", name="New chat").click()
    answer = send(page, "Tell me a story")
    assert wait_final(answer) == "done", answer.inner_text()
    return answer.locator(".text").inner_text()


def test_a_new_seed_reaches_the_next_answer_without_a_reload(tiny_site: Path, serve, journey) -> None:
    """Sampling on: the same seed twice gives the same text, another seed another, no reload."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    page.evaluate("window.__sameDocument = true")
    first, other, again = story(page, "7"), story(page, "8"), story(page, "7")
    assert first.strip() and first == again and other != first
    assert page.evaluate("window.__sameDocument") is True  # never reloaded


def test_an_engine_given_up_frees_its_gpu_device(tiny_site: Path, serve, context) -> None:
    """Restart engine on a working engine: the old engine's GPU device is destroyed, so one
    device holds the model, never two (a hung one replaced by the watchdog: test_faults.py)."""
    page = context.new_page()
    journey = record(page, context)
    open_chat(page, serve(tiny_site).url)
    assert wait_final(send(page, "Before the restart")) == "done"
    assert gpu_devices_alive(page) == 1
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Restart engine").click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=120_000)
    page.get_by_role("link", name="Chat", exact=True).click()
    assert wait_final(send(page, "After the restart")) == "done"
    assert gpu_devices_alive(page) == 1
    assert journey.errors == [] and journey.foreign_requests() == []
