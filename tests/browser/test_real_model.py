"""The real Gemma 3 270M (base) model, in real MediaPipe on WebGPU (SwiftShader): English out."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.chatting import open_chat, save_settings, send, wait_final
from tests.browser.conftest import Journey
from tests.browser.waiting import wait_until

COMMON = {"the", "of", "a", "is", "and", "in", "capital", "france", "paris", "city", "country", "it"}


def test_real_gemma_continues_in_english(real_site: Path, serve, journey: Journey) -> None:
    """A user on a tablet gets a real model's words, not noise: the app drives real Gemma end to end."""
    page = journey.page
    open_chat(page, serve(real_site).url)
    save_settings(page, temperature="0", top_k="1", system_prompt="")
    page.get_by_role("link", name="Chat", exact=True).click()
    answer = send(page, "The capital of France is")
    expect(answer).to_have_attribute("data-status", "streaming", timeout=120_000)
    # Within the first 24 tokens (at least six words arrive well before that), judge the words.
    wait_until(
        page,
        "document.querySelector('.msg.model .text').textContent.trim().split(/\\s+/).length >= 6",
        timeout=120_000,
    )
    words = re.findall(r"[A-Za-z']+", answer.locator(".text").inner_text().lower())[:6]
    assert len(words) == 6 and len(COMMON.intersection(words)) >= 2, words
    page.get_by_role("button", name="Stop", exact=True).first.click()
    assert wait_final(answer) == "stopped"
    assert "Gemma 3 270M (base)" in answer.locator(".meta").inner_text()
