"""Views are pure and safe: markdown escapes raw HTML and drops unsafe links."""

from __future__ import annotations

import pytest

from tabula.chat.markdown import to_html
from tabula.chat.messages import Message
from tabula.core.router import Route
from tabula.core.state import State
from tabula.ui.views import screen
from tabula.ui.views.chat import bubble


def test_not_found_escapes_the_asked_path() -> None:
    view = screen(State(route=Route("not-found", asked="<img src=x onerror=alert(1)>"))).view
    assert "<img" not in view and "&lt;img" in view


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "[x](JAVASCRIPT:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_never_emits_active_content(source: str) -> None:
    html = to_html(source)
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html.lower() and 'src="data' not in html


def test_markdown_keeps_safe_links_and_emphasis() -> None:
    html = to_html("**bold** [site](https://example.org) [chat](#/chat)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'href="#/chat"' in html


def test_about_shows_every_runtime_version() -> None:
    state = State(route=Route("about"), version="abc", runtime=(("pyodide", "314.0.7"),))
    view = screen(state).view
    assert "abc" in view and "314.0.7" in view and "Privacy" in view


def test_every_engine_status_has_a_badge() -> None:
    from tabula.engine.jobs import Status
    from tabula.ui.views import BADGE

    assert set(BADGE) == {str(status) for status in Status}


def test_web_links_open_in_a_new_tab_without_an_opener_and_app_links_stay() -> None:
    html = to_html(
        "[site](https://example.org/a) [plain](http://example.org) [chat](#/chat) [m](mailto:a@b.org)"
    )
    assert '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">site</a>' in html
    assert '<a href="http://example.org" target="_blank" rel="noopener noreferrer">plain</a>' in html
    assert '<a href="#/chat">chat</a>' in html and '<a href="mailto:a@b.org">m</a>' in html


def test_the_renderers_copy_button_is_found_by_its_place_never_by_a_data_action() -> None:
    """Nothing the renderer emits carries data-action (the strict policy allows none): its Copy
    button is the one in a code block's bar, and only data-lang / data-live are left."""
    html = to_html("```python\nprint(1)\n```\n\n    ls\n", owner=7, live=True)
    assert (
        html.count(
            '<div class="code-bar"><span class="lang">python</span><button type="button" class="copy">'
        )
        == 1
    )
    assert html.count('<button type="button" class="copy">Copy</button>') == 2
    assert "data-action" not in html and "data-msg" not in html and "data-block" not in html
    assert "button" not in to_html("```python\nprint(1)\n```")  # no message, no Copy


def test_message_text_is_marked_for_the_strict_policy_and_names_its_message() -> None:
    user, answer = Message(1, "user", "hi <b>"), Message(2, "model", "**yes**")
    log = bubble(user, "ready") + bubble(answer, "ready")
    assert '<div class="text" data-md>hi &lt;b&gt;</div>' in log
    assert '<div class="text" id="msg-2-text" data-md data-msg="2"><p><strong>yes</strong></p>' in log
    streaming = bubble(Message(3, "model", "so", status="streaming"), "busy")
    assert '<div class="text streaming" id="msg-3-text" data-md data-msg="3">' in streaming
    about = screen(State(route=Route("about"), version="abc")).view
    assert "<div data-md><p>Tabula runs" in about


def test_the_models_page_lets_a_tablet_pick_and_name_a_gguf_file() -> None:
    """A phone's file picker greys out what `accept` leaves out: a GGUF must be choosable."""
    from tabula.ui.views.models import add_forms

    form = add_forms()
    accept = form.split('accept="', 1)[1].split('"', 1)[0].split(",")
    assert ".gguf" in accept and ".task" in accept
    assert "Address of a .task or .gguf file" in form
