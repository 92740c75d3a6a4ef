"""Rendering in proportion to what changed: the chat log is keyed items, one per message, each
message's HTML is made once per value, and a streaming answer's finished blocks keep their HTML."""

from __future__ import annotations

import pytest

from tabula.chat import cadence, markdown
from tabula.chat.markdown import LiveMarkdown, to_html
from tabula.chat.messages import Message
from tabula.core.actions import MessagePut, Store
from tabula.core.state import State
from tabula.ui.app import App
from tabula.ui.views import messages as messages_view
from tests.fakes import FakePage, FakeUpdates

ANSWER = "Here is code:\n\n```python\nprint('hi')\n```\n\n- one\n- two\n\nThe end."
STREAMED = (
    "# Title\n\nA paragraph with *emphasis*\nand a lazy line.\n\n```python\ndef f():\n    return 1\n```\n\n"
    "1. one\n2. two\n\n- a\n\n- b\n\nText\n---\n\n> quote\ncontinued\n\n    indented\n\n    more\n\n"
    "Setext\n===\n\n~~~\nunclosed fence at the end"
)


def chat_with(count: int) -> tuple[App, FakePage]:
    messages = tuple(
        Message(i, "user" if i % 2 else "model", ANSWER if i % 2 == 0 else f"question {i}")
        for i in range(count)
    )
    page = FakePage(hash_="#/chat")
    app = App(Store(State(version="v1", messages=messages)), page, FakeUpdates())
    app.start()
    return app, page


def test_a_new_message_paints_only_itself_not_the_answer_before_it() -> None:
    app, page = chat_with(21)
    page.calls.clear()
    app.store.dispatch(MessagePut(Message(21, "user", "one more")))
    log_calls = [
        args for name, args in page.calls if name in ("set_items", "set_region") and args[0] == "log"
    ]
    assert log_calls == [("log", tuple(f"m{i}" for i in range(22)), ("m21",))]
    assert 'class="msg-actions regenerate"' in page.items["log"]["m20"]  # shown on the last item only (CSS)
    assert page.regions["log"].count('<article class="msg') == 22


def test_a_state_change_renders_no_message_again(monkeypatch: pytest.MonkeyPatch) -> None:
    app, _page = chat_with(40)
    rendered: list[str] = []
    real = markdown._renderer()

    class Counting:
        def render(self, text: str, env: dict) -> str:
            rendered.append(text)
            return real.render(text, env)

    monkeypatch.setattr(markdown, "_renderer", lambda: Counting())
    app.on_connectivity(False)
    app.store.dispatch(MessagePut(Message(40, "user", "again")))
    assert rendered == []


def test_each_log_item_is_one_element_marked_with_its_key() -> None:
    _, page = chat_with(4)
    for key, html in page.items["log"].items():
        assert html.startswith("<") and f'data-key="{key}"' in html.split(">", 1)[0]


def test_an_empty_chat_is_one_item() -> None:
    page = FakePage(hash_="#/chat")
    App(Store(State(version="v1")), page, FakeUpdates()).start()
    assert list(page.items["log"]) == ["empty"]


def test_streamed_finished_blocks_are_the_final_html_at_every_length() -> None:
    final, live = to_html(STREAMED, 7), LiveMarkdown(7)
    for n in range(1, len(STREAMED) + 1):
        done, _open = live.render(STREAMED[:n])
        assert final.startswith(done), STREAMED[:n]
    assert done and done + to_html(STREAMED[len(live.source) :], 7) == final


def test_only_the_open_block_is_rendered_again(monkeypatch: pytest.MonkeyPatch) -> None:
    live = LiveMarkdown(1)
    text = "".join(f"Paragraph {i} with some words in it.\n\n" for i in range(200))
    live.render(text)
    sizes: list[int] = []
    real = markdown._renderer()

    class Counting:
        renderer, options = real.renderer, real.options

        def parse(self, source: str, env: dict) -> list:
            sizes.append(len(source))
            return real.parse(source, env)

        def render(self, source: str, env: dict) -> str:
            sizes.append(len(source))
            return real.render(source, env)

    monkeypatch.setattr(markdown, "_renderer", lambda: Counting())
    done, open_ = live.render(text + "And the open one")
    assert (
        len(sizes) == 1 and sizes[0] < 100 and open_ == "<p>And the open one</p>\n"
    )  # one parse, of the end
    assert done == to_html(text, 1)


def test_a_reference_definition_renders_the_text_whole() -> None:
    text = "See [the docs][d].\n\nMore text.\n\n[d]: https://example.org\n\nTail"
    done, open_ = LiveMarkdown(1).render(text)
    assert done == "" and 'href="https://example.org"' in open_


def test_a_streamed_answer_when_finished_renders_only_what_its_stream_had_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The end of a long streamed answer re-renders one block, not the whole answer (bench/longchat:
    a 16 KB answer's final render was one long task), and the bubble's HTML is what a whole render gives."""
    text = "".join(f"Paragraph {i} with `code` and *words*.\n\n" for i in range(300)) + "The end."
    live = LiveMarkdown(42)
    for n in range(0, len(text) - 20, 97):
        live.render(text[:n])  # as the painter does while it streams
    whole = messages_view.bubble(Message(42, "model", text, status="done"), "ready")
    messages_view._bubble.cache_clear()
    rendered: list[str] = []
    real = markdown._renderer()

    class Counting:
        def render(self, source: str, env: dict) -> str:
            rendered.append(source)
            return real.render(source, env)

    monkeypatch.setattr(markdown, "_renderer", lambda: Counting())
    assert messages_view.bubble(Message(42, "model", text, status="done"), "ready") == whole
    assert sum(map(len, rendered)) < 200, [len(r) for r in rendered]


def test_a_finished_answer_unlike_its_stream_is_rendered_whole() -> None:
    """Text the stream never had (another chat's message with the same id, a link reference added
    at the end) is rendered whole, so the HTML is always the whole render's."""
    live = LiveMarkdown(5)
    live.render("First block.\n\nSecond block.\n\nThird")
    for text in ("Other text.\n\nMore.", "First block.\n\nSecond block.\n\n[x]: https://example.org\n\n[x]"):
        assert markdown.finished_html(text, 5) == to_html(text, 5)


def test_each_paint_of_an_answer_continues_the_same_stream() -> None:
    """The painter asks for the answer's stream on every paint: it must get the one that holds the
    blocks already rendered (a new one per paint would render the whole answer at the end again)."""
    text = "One.\n\nTwo.\n\nThree"
    markdown.stream_for(77).render(text[:6])
    markdown.stream_for(77).render(text)
    assert markdown.stream_for(77).source == "One.\n\nTwo.\n\n"
    assert markdown.finished_html(text + ".", 77) == to_html(text + ".", 77)


def test_a_costly_paint_is_followed_by_a_longer_wait_within_bounds() -> None:
    """Painting takes at most its share of the main thread that drives the engine, and the answer
    still reads as a stream: between 5 and 20 paints a second."""
    assert cadence.interval(0.3) == cadence.FASTEST_MS
    assert cadence.interval(2.5) == 2.5 / cadence.SHARE == 100.0
    assert cadence.interval(40.0) == cadence.SLOWEST_MS
