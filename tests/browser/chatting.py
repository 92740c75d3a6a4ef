"""Helpers for chat journeys: open the chat once the engine is ready, send, watch answers."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import open_app

FINAL = ("done", "stopped", "cancelled", "failed")
ENGINE_TIMEOUT_MS = 180_000
RECORDER = """() => {
  window.__seen = [];
  new MutationObserver(() => {
    const node = document.querySelector('.msg.model[data-status="streaming"] .text');
    const text = node ? node.textContent : null;
    if (text && window.__seen[window.__seen.length - 1] !== text) window.__seen.push(text);
  }).observe(document.getElementById('view'), {subtree: true, childList: true, characterData: true});
}"""


def open_chat(page: Page, url: str) -> None:
    """Open the app at #/chat and wait until the embedded model has loaded."""
    open_app(page, url + "#/chat")
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)


def send(page: Page, text: str) -> Locator:
    """Type a message, press Enter, and return the new answer's bubble."""
    box = page.get_by_role("textbox", name="Message")
    box.wait_for()  # the chat view is on screen before counting its answers
    before = page.locator("article.msg.model").count()
    box.fill(text)
    box.press("Enter")
    expect(page.locator("article.msg.model")).to_have_count(before + 1)
    return page.locator("article.msg.model").nth(before)


def wait_final(answer: Locator, timeout: float = ENGINE_TIMEOUT_MS) -> str:
    """Wait until an answer has ended; return its status."""
    statuses = "|".join(FINAL)
    expect(answer).to_have_attribute("data-status", _pattern(statuses), timeout=timeout)
    return answer.get_attribute("data-status") or ""


def _pattern(alternatives: str) -> re.Pattern[str]:
    return re.compile(f"^({alternatives})$")


def save_settings(page: Page, **fields: str) -> None:
    """Fill the settings form and save; wait for the saved notice."""
    page.get_by_role("link", name="Settings", exact=True).click()
    for name, value in fields.items():
        page.locator(f"#{name}").fill(value)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#settings-status")).to_contain_text("Saved")
