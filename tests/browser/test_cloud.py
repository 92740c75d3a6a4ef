"""The optional cloud engine: honest about where every answer comes from, and silent until asked.

A fake Gemini API on 127.0.0.1 (tests/browser/geminiserver.py) speaks the real wire format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import build
from tests.browser.chatting import send, wait_final
from tests.browser.conftest import Journey, Site, catalog_file, open_app, wait_ready
from tests.browser.geminiserver import GeminiServer, Reply
from tests.browser.xss_payloads import EVIL, PAYLOADS

KEY = "AIzaTestKey-0123456789abcdefGHIJ"
QUIZ = [
    {"question": "What do plants make in photosynthesis?", "choices": ["Glucose", "Iron", "Salt"], "answer": 0,
     "explanation": "Plants turn light, water and CO2 into glucose."},
    {"question": "Which gas do plants release?", "choices": ["Nitrogen", "Oxygen"], "answer": 1,
     "explanation": "Oxygen is released."},
]  # fmt: skip


@pytest.fixture(scope="module")
def gemini() -> Iterator[GeminiServer]:
    with GeminiServer().start() as server:
        yield server


@pytest.fixture
def cloud(gemini: GeminiServer) -> GeminiServer:
    gemini.reset()
    gemini.keys = {KEY}
    return gemini


@pytest.fixture(scope="module")
def cloud_site(tmp_path_factory: pytest.TempPathFactory, gemini: GeminiServer) -> Path:
    """A site with no model at all, whose cloud engine is the fake Gemini server."""
    folder = tmp_path_factory.mktemp("cloud-site")
    return build.build(folder / "_site", catalog=catalog_file(folder, []), cloud_base=gemini.base)


@pytest.fixture
def app(cloud_site: Path, serve: Callable[..., Site], journey: Journey) -> Page:
    page = journey.page
    open_app(page, serve(cloud_site).url + "#/settings")
    return page


def add_key(page: Page, key: str = KEY, test: bool = False) -> None:
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Gemini API key").fill(key)
    page.locator("form.cloud").get_by_role(
        "button", name="Test key" if test else "Save cloud settings"
    ).click()


def route(page: Page):
    return page.get_by_role("status", name="Answers from")


def test_chat_streams_from_the_cloud_and_says_so(app: Page, cloud: GeminiServer, journey: Journey) -> None:
    """A teacher with no model downloaded adds her key: chat answers stream from the cloud, each
    labelled Cloud, the model's private thoughts never show, and the key travels only in a header."""
    expect(route(app)).to_have_text("Unavailable · no model")
    cloud.force_thoughts = True
    cloud.reply(["Hello", " from", " the cloud."], thoughts=["secret plan"])
    add_key(app)
    expect(route(app)).to_have_text("Cloud · gemma-4-26b-a4b-it")
    app.get_by_role("link", name="Chat", exact=True).click()
    answer = send(app, "Hi")
    assert wait_final(answer) == "done"
    expect(answer.locator(".text")).to_have_text("Hello from the cloud.")
    expect(answer.locator(".meta")).to_contain_text("Cloud · gemma-4-26b-a4b-it")
    expect(app.locator("#view")).not_to_contain_text("secret plan")
    (call,) = cloud.posts()
    assert call.headers["x-goog-api-key"] == KEY and "alt=sse" in call.query
    assert KEY not in call.query and KEY not in str(call.body)
    assert not [url for url in journey.requests if KEY in url]


def test_key_test_tells_bad_key_from_quota_from_no_network(
    app: Page, cloud: GeminiServer, journey: Journey
) -> None:
    """The Test button says which problem it is, in words a user can act on."""
    status = app.locator("#cloud-status")
    add_key(app, "AIzaWrongKey-000000000000000000", test=True)
    expect(status).to_contain_text("Key test failed")
    expect(status).to_contain_text("key")
    cloud.fail(429)
    add_key(app, KEY, test=True)
    expect(status).to_contain_text("quota")
    cloud.fail(0)
    add_key(app, KEY, test=True)
    expect(status).to_contain_text("The key works")
    app.context.set_offline(True)
    app.locator("form.cloud").get_by_role("button", name="Test key").click()
    expect(status).to_contain_text("No connection")
    app.context.set_offline(False)
    # Chromium logs each refused or failed request; these three were caused on purpose.
    assert journey.allow("status of 400") == journey.allow("status of 429") == 1
    assert journey.allow("ERR_INTERNET_DISCONNECTED") == 1


def test_offline_makes_the_cloud_unavailable_with_the_reason(app: Page, cloud: GeminiServer) -> None:
    """On a bus with no signal the Study tools say why they cannot run and what would fix it."""
    add_key(app)
    app.context.set_offline(True)
    app.get_by_role("link", name="Study", exact=True).click()
    quiz = app.locator(".feature").filter(has_text="Quiz me")
    expect(quiz.locator(".badge")).to_have_text("Unavailable · offline")
    expect(quiz.get_by_role("button", name="Quiz me")).to_be_disabled()
    app.context.set_offline(False)
    expect(quiz.locator(".badge")).to_have_text("Cloud · gemma-4-26b-a4b-it")


def test_private_mode_sends_nothing_to_the_cloud(app: Page, cloud: GeminiServer, journey: Journey) -> None:
    """Private mode (the default) guarantees not one request to the cloud over a whole journey,
    even with a key saved."""
    add_key(app)
    app.get_by_label("Private mode").check()
    app.locator("form.cloud").get_by_role("button", name="Save cloud settings").click()
    expect(route(app)).to_have_text("Unavailable · no model")
    app.get_by_role("link", name="Chat", exact=True).click()
    answer = send(app, "Hello?")
    assert wait_final(answer) == "failed"
    expect(answer).to_contain_text(re.compile("private mode", re.IGNORECASE))
    app.get_by_role("link", name="Study", exact=True).click()
    expect(app.get_by_role("button", name="Quiz me")).to_be_disabled()
    app.get_by_role("link", name="Models", exact=True).click()
    app.reload()
    wait_ready(app)
    expect(route(app)).to_have_text("Unavailable · no model")
    assert cloud.calls == []
    assert not [url for url in journey.requests if url.startswith(cloud.origin)]


def make(page: Page, topic: str, button: str) -> None:
    page.get_by_role("link", name="Study", exact=True).click()
    page.get_by_label("Topic or notes").fill(topic)
    page.get_by_role("button", name=button).click()


def test_quiz_renders_checks_answers_and_survives_bad_output(app: Page, cloud: GeminiServer) -> None:
    """A student asks for a quiz: it becomes an interactive quiz; when the model answers nonsense
    twice, she gets a clear message and the page keeps working."""
    add_key(app)
    cloud.reply_json(QUIZ)
    make(app, "Photosynthesis", "Quiz me")
    quiz = app.locator("form.quiz")
    expect(quiz.locator("legend")).to_have_count(2)
    quiz.get_by_label("Glucose").check()
    quiz.get_by_label("Nitrogen").check()
    quiz.get_by_role("button", name="Check answers").click()
    expect(app.locator(".score")).to_have_text("1 of 2 right.")
    expect(app.locator("#study-result")).to_contain_text("Cloud · gemma-4-26b-a4b-it")
    cloud.queue(
        Reply.text("Sure! Here is a quiz: <script>alert(1)</script>"), Reply.text('[{"question": 5}]')
    )
    make(app, "Photosynthesis", "Quiz me")
    expect(app.get_by_role("alert")).to_contain_text("could not be used")
    assert len(cloud.posts()) == 3  # one try, then one retry
    cloud.reply(["# Water cycle\n- Evaporation\n  - Sun heats water\n- Condensation\n- Rain"])
    make(app, "Water cycle", "Mind map")
    mindmap = app.get_by_role("region", name="Mind map")
    expect(mindmap).to_contain_text("Sun heats water")
    expect(mindmap.locator("ul ul li")).to_have_text("Sun heats water")


def test_slow_stream_stops_and_a_dropped_stream_fails_clearly(
    app: Page, cloud: GeminiServer, journey: Journey
) -> None:
    """On a slow link the user can Stop (keeping what arrived); a connection that drops mid-answer
    ends the answer with a clear message, keeping the part that arrived."""
    add_key(app)
    app.get_by_role("link", name="Chat", exact=True).click()
    cloud.reply(["First part.", " Second part.", " Third part.", " Fourth part."])
    cloud.slow(1.0)
    answer = send(app, "Tell me slowly")
    expect(answer.locator(".text")).to_contain_text("First part.", timeout=20_000)
    app.locator("form.composer").get_by_role("button", name="Stop").click()
    assert wait_final(answer) == "stopped"
    expect(answer.locator(".text")).to_contain_text("First part.")
    expect(answer.locator(".text")).not_to_contain_text("Fourth part.")
    cloud.slow(0)
    cloud.drop_after(2)
    cut = cloud.hold_cut()  # the cut waits until the first part has been shown
    dropped = send(app, "Again")
    expect(dropped.locator(".text")).to_contain_text("First part.", timeout=20_000)
    cut.set()
    assert wait_final(dropped) == "failed"
    expect(dropped.locator(".text")).to_contain_text("First part.")
    expect(dropped).to_contain_text("No connection")
    journey.allow("ERR_")  # Chromium may log the cut connection


def test_invalid_mind_map_output_fails_cleanly(app: Page, cloud: GeminiServer) -> None:
    """A model that answers a mind map with nothing usable gets one retry, then a clear message."""
    add_key(app)
    cloud.queue(Reply.text("   "), Reply.text("I cannot help with that."))
    make(app, "Volcanoes", "Mind map")
    expect(app.get_by_role("alert")).to_contain_text("could not be used")
    expect(app.get_by_role("button", name="Mind map")).to_be_enabled()


TRAP = """
window.__hits = [];
window.__xss = (what) => window.__hits.push(String(what));
window.alert = window.confirm = window.prompt = (what) => window.__hits.push('dialog:' + what);
"""


def test_hostile_model_output_runs_nothing_and_loads_nothing(
    app: Page, cloud: GeminiServer, journey: Journey
) -> None:
    """A student's answer full of script, handlers, javascript: links, SVG, CSS and markdown
    tricks is shown as text; nothing runs (a page-level trap) and nothing leaves 127.0.0.1."""
    app.add_init_script(TRAP)
    app.reload()
    wait_ready(app)
    add_key(app)
    app.get_by_role("link", name="Chat", exact=True).click()
    for start in range(0, len(PAYLOADS), 11):
        cloud.reply(["\n\n".join(PAYLOADS[start : start + 11])])
        answer = send(app, f"part {start}")
        assert wait_final(answer) == "done"
        for link in answer.locator("a").all():
            link.hover()
            link.click(modifiers=["Control"], no_wait_after=True, timeout=2000)
    app.wait_for_timeout(500)
    assert app.evaluate("window.__hits") == []
    assert (
        app.locator("article.msg.model script, article.msg.model img, article.msg.model iframe").count() == 0
    )
    assert not [url for url in journey.requests if EVIL.removeprefix("http://") in url]
    expect(app.locator("article.msg.model").last).to_contain_text("__xss")


def turns(call) -> list[tuple[str, str]]:
    return [(c["role"], "".join(p["text"] for p in c["parts"])) for c in call.body["contents"]]


def test_a_follow_up_sent_while_the_cloud_answer_streams_waits_for_it_and_carries_it(
    app: Page, cloud: GeminiServer
) -> None:
    """Asked again while the cloud answer streams, the follow-up leaves only once that answer is
    whole, and carries it: the service never sees two questions in a row."""
    add_key(app)
    app.get_by_role("link", name="Chat", exact=True).click()
    cloud.reply(["Rivers flow", " to the sea."])
    cloud.slow(1.0)
    first = send(app, "Tell me about rivers")
    expect(first.locator(".text")).to_contain_text("Rivers flow", timeout=20_000)
    second = send(app, "And lakes?")
    assert wait_final(first) == "done" and wait_final(second) == "done"
    streamed = [c for c in cloud.calls if c.method == "POST" and c.path.endswith(":streamGenerateContent")]
    assert [turns(c) for c in streamed] == [
        [("user", "Tell me about rivers")],
        [("user", "Tell me about rivers"), ("model", "Rivers flow to the sea."), ("user", "And lakes?")],
    ]


def test_a_cloud_answer_cut_at_its_token_limit_says_so_and_continue_goes_on(
    app: Page, cloud: GeminiServer
) -> None:
    """The service stops at its token limit (finishReason MAX_TOKENS): the answer says it is not
    finished, and Continue asks the service to go on from it; the rest joins the same answer."""
    add_key(app)
    app.get_by_role("link", name="Chat", exact=True).click()
    cloud.queue(Reply(texts=("Rivers flow", " to the"), finish_reason="MAX_TOKENS"), Reply.text("sea."))
    answer = send(app, "Tell me about rivers")
    assert wait_final(answer) == "done"
    expect(answer.locator(".msg-cut")).to_contain_text(
        "Stopped at the length limit: the answer is not finished."
    )
    answer.get_by_role("button", name="Continue").click()
    expect(answer.locator(".text")).to_have_text("Rivers flow to the sea.")
    expect(answer.locator(".msg-cut")).to_have_count(0)
    asked = [turns(c) for c in cloud.posts()]
    assert asked[-1] == [
        ("user", "Tell me about rivers"),
        ("model", "Rivers flow to the"),
        ("user", "Continue your last answer exactly where it stopped, without repeating any of it."),
    ]
    expect(app.locator(".msg.model")).to_have_count(1)
    app.reload()  # what was saved: the whole answer, no longer cut
    wait_ready(app)
    expect(app.locator(".msg.model .text")).to_have_text("Rivers flow to the sea.")
    expect(app.locator(".msg-cut")).to_have_count(0)


def test_opening_another_conversation_mid_answer_leaves_both_intact(app: Page, cloud: GeminiServer) -> None:
    """Switching chats while a cloud answer streams: the answer stops where it was, kept in its own
    conversation, and nothing of it ever appears in the one opened."""
    add_key(app)
    app.get_by_role("link", name="Chat", exact=True).click()
    cloud.reply(["The old answer."])
    assert wait_final(send(app, "Old question")) == "done"
    app.get_by_role("button", name="New chat").click()
    cloud.reply(["Part one.", " Part two.", " Part three."])
    cloud.slow(1.0)
    answer = send(app, "New question")
    expect(answer.locator(".text")).to_contain_text("Part one.", timeout=20_000)
    box = app.locator("details.library")
    box.locator("summary").click()
    box.get_by_role("button", name="Old question", exact=True).click()
    log = app.get_by_role("log", name="Conversation")
    expect(app.locator("article.msg.user")).to_have_text(["Old question"])
    app.wait_for_timeout(3500)  # longer than the rest of the stream would have taken
    expect(app.locator("article.msg.model .text")).to_have_text(["The old answer."])
    expect(log).not_to_contain_text("Part")
    box = app.locator("details.library")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.get_by_role("button", name="New question", exact=True).click()
    left = app.locator("article.msg.model")
    expect(left).to_have_attribute("data-status", "stopped")
    expect(left.locator(".text")).to_contain_text("Part one.")
    expect(left.locator(".text")).not_to_contain_text("Part three.")


def test_a_key_for_this_session_only_is_gone_in_a_new_tab(
    app: Page, cloud: GeminiServer, journey: Journey
) -> None:
    """On a shared origin a teacher keeps her key for this session only: it works and survives a
    reload of the tab, localStorage never holds it, and a new tab starts with no key."""
    page = app
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Gemini API key").fill(KEY)
    page.get_by_label("This session only (forgotten when this tab closes)").check()
    page.locator("form.cloud").get_by_role("button", name="Save cloud settings").click()
    hint = page.locator("#api_key-hint")
    expect(hint).to_contain_text("Saved key")
    assert KEY not in page.evaluate("JSON.stringify({...localStorage})")
    page.reload()
    wait_ready(page)
    expect(page.locator("#api_key-hint")).to_contain_text("Saved key")
    expect(page.get_by_label("This session only (forgotten when this tab closes)")).to_be_checked()
    cloud.reply(["Hello", " from", " the cloud."])
    page.get_by_role("link", name="Chat", exact=True).click()
    assert wait_final(send(page, "Hello")) == "done"
    expect(route(page)).to_contain_text("Cloud")
    other = page.context.new_page()
    open_app(other, page.url.split("#")[0] + "#/settings")
    expect(other.locator("#api_key-hint")).to_contain_text("No key on this device.")
    expect(other.get_by_label("Remember the key on this device")).to_be_checked()
    other.close()
