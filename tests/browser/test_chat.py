"""Chat on the real MediaPipe engine (WebGPU on SwiftShader) with the tiny test model."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.chatting import RECORDER, open_chat, save_settings, send, wait_final
from tests.browser.conftest import Journey, Site, wait_ready
from tests.browser.engines import engine_worker, in_engine, rebuilt_engine
from tests.browser.waiting import wait_until

BUSY = re.compile(r"currently loading or processing|still ongoing|busy", re.IGNORECASE)


@pytest.fixture
def chat_site(tiny_site: Path, serve) -> Site:
    return serve(tiny_site)


def test_answer_streams_token_by_token(chat_site: Site, journey: Journey) -> None:
    """A student asks a question and watches the answer being written, word by word."""
    page = journey.page
    open_chat(page, chat_site.url)
    page.evaluate(RECORDER)
    answer = send(page, "Tell me about the moon")
    assert wait_final(answer) == "done"
    seen = page.evaluate("window.__seen")
    assert len(seen) >= 5, seen
    # It grew. The streaming text is rendered as Markdown frame by frame, so markup (a "**" that
    # becomes bold, a "-" that becomes a list) may change; the words themselves only ever grow.
    words = [re.sub(r"[\W_]+", "", text) for text in seen]
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(words)), seen
    assert answer.locator(".text").inner_text().strip()
    meta = answer.locator(".meta").inner_text()
    assert "Tiny test model" in meta and "first token" in meta and "tokens/s" in meta
    expect(page.get_by_role("log", name="Conversation")).to_contain_text("Tell me about the moon")


def test_stop_keeps_the_partial_answer_and_the_next_prompt_works(chat_site: Site, journey: Journey) -> None:
    """A teacher stops a rambling answer; what was written stays, and she can ask again."""
    page = journey.page
    open_chat(page, chat_site.url)
    answer = send(page, "Write a long story")
    text = answer.locator(".text")
    expect(answer).to_have_attribute("data-status", "streaming", timeout=60_000)
    wait_until(page, "document.querySelector('.msg.model .text').textContent.length > 20")
    page.get_by_role("button", name="Stop", exact=True).first.click()
    assert wait_final(answer) == "stopped"
    partial = text.inner_text()
    assert partial.strip()
    time.sleep(1.5)  # the engine runs on to maxTokens in 0.10.29; nothing more may be shown
    assert text.inner_text() == partial
    assert "stopped" in answer.locator(".meta").inner_text()
    following = send(page, "And now something short")
    assert wait_final(following) == "done"
    assert following.locator(".text").inner_text().strip()
    assert text.inner_text() == partial


def test_twenty_prompts_in_order_with_cancels_and_navigation(chat_site: Site, journey: Journey) -> None:
    """Twenty quick questions, some cancelled, some asked after a trip to Settings: all settle, in order."""
    page = journey.page
    open_chat(page, chat_site.url)
    save_settings(page, max_tokens="96")
    page.get_by_role("link", name="Chat", exact=True).click()
    page.evaluate(
        """() => { window.__done = []; new MutationObserver(() => {
             for (const a of document.querySelectorAll('.msg.model[data-status="done"]'))
               if (!window.__done.includes(a.id)) window.__done.push(a.id);
           }).observe(document.getElementById('view'), {subtree: true, childList: true, attributes: true}); }"""
    )
    answers = [send(page, f"Question {i}") for i in range(10)]
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    page.get_by_role("link", name="Chat", exact=True).click()
    answers += [send(page, f"Question {i}") for i in range(10, 20)]
    cancelled = {4, 11, 17}
    for index in sorted(cancelled):
        answers[index].get_by_role("button", name="Cancel").click()
    statuses = [wait_final(answer, timeout=240_000) for answer in answers]
    assert [i for i, s in enumerate(statuses) if s == "cancelled"] == sorted(cancelled)
    assert all(s == "done" for i, s in enumerate(statuses) if i not in cancelled), statuses
    done_order = page.evaluate("window.__done")
    ids = [int(x.removeprefix("msg-")) for x in done_order]
    assert ids == sorted(ids) and len(ids) == 17
    assert not BUSY.search(page.inner_text("#view"))
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready")


def test_leaving_mid_answer_and_coming_back(chat_site: Site, journey: Journey) -> None:
    """A health worker checks Models while an answer is written; back in Chat, it is there and she can go on."""
    page = journey.page
    open_chat(page, chat_site.url)
    first = send(page, "Describe the water cycle")
    expect(first).to_have_attribute("data-status", "streaming", timeout=60_000)
    page.get_by_role("link", name="Models", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Models")
    page.get_by_role("link", name="Chat", exact=True).click()
    answer = page.locator("article.msg.model").first
    assert wait_final(answer) == "done"
    assert answer.locator(".text").inner_text().strip()
    second = send(page, "Thanks")
    assert wait_final(second) == "done"


def test_long_history_is_trimmed_and_the_user_is_told(chat_site: Site, journey: Journey) -> None:
    """A long conversation keeps working: older turns are left out, and the answer says so."""
    page = journey.page
    open_chat(page, chat_site.url)
    save_settings(page, max_tokens="128", system_prompt="")
    page.get_by_role("link", name="Chat", exact=True).click()
    for i in range(4):
        answer = send(page, f"Rivers {i}")
        assert wait_final(answer) == "done", answer.inner_text()
    note = page.locator("article.msg.model .note").last
    expect(note).to_contain_text(re.compile(r"\d+ older messages? left out"))


def test_a_message_longer_than_the_context_gets_a_clear_message(chat_site: Site, journey: Journey) -> None:
    """Pasting a whole chapter into a small model explains the problem instead of crashing."""
    page = journey.page
    open_chat(page, chat_site.url)
    answer = send(page, "word " * 600)
    assert wait_final(answer) == "failed"
    expect(answer.get_by_role("alert")).to_contain_text("too long for this model")
    following = send(page, "short question")
    assert wait_final(following) == "done"


def test_regenerate_replaces_the_last_answer(chat_site: Site, journey: Journey) -> None:
    """A student asks for another try at the last answer."""
    page = journey.page
    open_chat(page, chat_site.url)
    assert wait_final(send(page, "Hi")) == "done"
    page.get_by_role("button", name="Regenerate").click()
    answers = page.locator("article.msg.model")
    expect(answers).to_have_count(1)
    assert wait_final(answers.first) == "done"


def answer_tokens(answer) -> int:
    return int(re.search(r"· (\d+) tokens?(?: ·|$)", answer.locator(".meta").inner_text()).group(1))


def test_settings_validate_persist_and_apply_without_reload(chat_site: Site, journey: Journey) -> None:
    """Settings reject nonsense with a clear message, survive a reload and change the next answer."""
    page = journey.page
    open_chat(page, chat_site.url)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.locator("#temperature").fill("9")
    page.locator("#max_tokens").fill("1000000")
    page.get_by_role("button", name="Save", exact=True).click()
    alert = page.locator("#settings-status").get_by_role("alert")
    expect(alert).to_contain_text("Temperature must be between 0 and 2")
    expect(alert).to_contain_text("Max tokens must be between 64 and 256")
    # Greedy decoding of the tiny model never stops early, so an answer fills maxTokens exactly.
    save_settings(page, temperature="0", top_k="1", max_tokens="256", seed="7")
    page.get_by_role("link", name="Chat", exact=True).click()
    long_answer = answer_tokens(send_and_wait(page, "Count to ten"))
    save_settings(page, max_tokens="96")
    page.get_by_role("link", name="Chat", exact=True).click()
    page.get_by_role("button", name="New chat").click()
    short_answer = answer_tokens(send_and_wait(page, "Count to ten"))
    # Answer tokens are re-counted from the text, so allow a little tokenizer slack.
    assert short_answer < 96 and long_answer - short_answer >= 140, (long_answer, short_answer)
    page.reload()
    wait_ready(page)  # a reload boots Python again: on 2 shared cores that can take over 5 s
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.locator("#max_tokens")).to_have_value("96")
    expect(page.locator("#temperature")).to_have_value("0.0")
    expect(page.locator("#seed")).to_have_value("7")


# Resolves once the engine has been asked twice; rejects (never throws in the worker) after 60 s.
ASKED_AGAIN = """() => new Promise((ok, no) => {
  const t = setInterval(() => (self.__prompts || []).length > 1 && (clearInterval(t), ok()), 10);
  setTimeout(() => (clearInterval(t), no(new Error(`asked ${(self.__prompts || []).length} time(s)`))), 60000);
})"""


def send_and_wait(page, text: str):
    answer = send(page, text)
    assert wait_final(answer) == "done"
    return answer


# Records, in the engine's worker, every prompt MediaPipe is given and the text it streams back.
RECORD_PROMPTS = """() => {
  const proto = self.GenAI.LlmInference.prototype, real = proto.generateResponse;
  self.__prompts = []; self.__outputs = [];
  proto.generateResponse = function (prompt, listener) {
    const n = self.__prompts.push(prompt) - 1;
    self.__outputs[n] = '';
    return real.call(this, prompt, (partial, done) => { self.__outputs[n] += partial; listener(partial, done); });
  };
}"""


def test_a_follow_up_sent_while_the_answer_streams_is_asked_with_that_answer(
    chat_site: Site, journey: Journey
) -> None:
    """A student asks again before the first answer has finished (and then stops it, so both fit
    the tiny model's context): the engine gets the follow-up with the first question and the
    answer as it was kept, in order, never two questions in a row."""
    page = journey.page
    open_chat(page, chat_site.url)
    in_engine(page, RECORD_PROMPTS)
    first = send(page, "Tell me about rivers")
    expect(first).to_have_attribute("data-status", "streaming", timeout=60_000)
    second = send(page, "And lakes?")
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    assert wait_final(first) == "stopped" and wait_final(second) == "done"
    prompts, outputs = in_engine(page, "() => [self.__prompts, self.__outputs]")
    assert len(prompts) == 2
    kept = re.search(
        r"Tell me about rivers<end_of_turn>\n<start_of_turn>model\n(.+?)<end_of_turn>\n"
        r"<start_of_turn>user\nAnd lakes\?<end_of_turn>\n<start_of_turn>model\n$",
        prompts[1],
        re.DOTALL,
    )
    assert kept is not None, prompts[1]
    assert kept.group(1).strip() and outputs[0].startswith(kept.group(1))


def test_an_answer_cut_at_the_length_limit_says_so_and_continue_goes_on(chat_site: Site, journey: Journey) -> None:
    """The tiny model never stops by itself, so every answer runs to the token budget: the answer
    says it stopped at the length limit, and Continue asks the engine to go on from its own text
    (the prompt ends with the question and the answer so far, in an open model turn); what it
    writes joins the same answer."""
    page = journey.page
    open_chat(page, chat_site.url)
    before = engine_worker(page)
    save_settings(page, max_tokens="128", system_prompt="")  # a new token budget rebuilds the engine
    page.get_by_role("link", name="Chat", exact=True).click()
    rebuilt_engine(page, before)  # the recorder goes into the engine that answers (CI's run put it
    in_engine(page, RECORD_PROMPTS)  # into the old one; the wait below then threw in the new one)
    answer = send(page, "Tell me everything about volcanoes")
    assert wait_final(answer) == "done"
    cut = answer.get_by_role("note").filter(has_text="Stopped at the length limit")
    expect(cut).to_be_visible()
    first = answer.locator(".text").inner_text()
    cut.get_by_role("button", name="Continue").click()
    expect(page.locator("article.msg.model")).to_have_count(1)  # the same answer, not a new one
    # the continuation may stream and end between two polls: wait for the engine to be asked
    in_engine(page, ASKED_AGAIN)
    grown = "(n) => document.querySelector('article.msg.model .text').innerText.length > n"
    wait_until(page, grown, len(first), timeout=60_000)  # the continuation joined the answer
    assert wait_final(answer) == "done"
    prompts, outputs = in_engine(page, "() => [self.__prompts, self.__outputs]")
    assert len(prompts) == 2
    opened = "Tell me everything about volcanoes<end_of_turn>\n<start_of_turn>model\n"
    assert opened in prompts[1] and not prompts[1].endswith("<start_of_turn>model\n"), prompts[1]
    so_far = prompts[1].split(opened, 1)[1]  # the end of the first answer, as the engine wrote it
    assert len(so_far) > 20 and outputs[0].endswith(so_far), (so_far, outputs[0])
    whole = answer.locator(".text").inner_text()
    assert whole.startswith(first[:40]) and len(whole) > len(first), (first, whole)
    expect(cut).to_be_visible()  # it ran to the budget again: it says so again
    page.get_by_role("link", name="Settings", exact=True).click()  # drawn again from the state
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.locator("article.msg.model .text")).to_have_text(whole)
