"""What is on screen stays put while the chat changes: earlier messages keep their DOM (so a
selection in them survives a new answer), and a streamed answer ends as it was streamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.chatting import open_chat, wait_final
from tests.browser.conftest import Journey, Site
from tests.browser.waiting import wait_until

SELECT_FIRST_ANSWER = """() => {
  window.__first = document.querySelector('#log article.msg.model');
  const range = document.createRange();
  range.selectNodeContents(window.__first.querySelector('.text'));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  return getSelection().toString();
}"""
# Sends as the composer does, without typing (the app focuses the composer after a send).
ASK = """(text) => {
  document.getElementById('message').value = text;
  document.querySelector('form.composer').requestSubmit();
}"""


@pytest.fixture
def chat_site(tiny_site: Path, serve) -> Site:
    return serve(tiny_site)


def test_a_new_answer_leaves_earlier_messages_and_the_selection_in_them_alone(
    chat_site: Site, journey: Journey
) -> None:
    """A student selects an answer to copy it while the next answer is being written: the
    streaming and the answer's end (state changes) leave the selection where it was."""
    page = journey.page
    open_chat(page, chat_site.url)
    page.evaluate(ASK, "Tell me about the moon")
    first = page.locator("article.msg.model").first
    assert wait_final(first) == "done"
    page.evaluate(ASK, "And the sun?")  # sending focuses the composer: select only after it
    wait_until(page, "document.querySelector('article.msg.model[data-status=streaming]') !== null")
    selected = page.evaluate(SELECT_FIRST_ANSWER)
    assert selected.strip()
    assert wait_final(page.locator("article.msg.model").nth(1)) == "done"
    assert page.evaluate(
        "window.__first.isConnected && window.__first === document.querySelector('#log article.msg.model')"
    )
    assert page.evaluate("getSelection().toString()") == selected
