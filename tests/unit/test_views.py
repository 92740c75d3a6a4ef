"""Views are pure and safe: markdown escapes raw HTML and drops unsafe links."""

from __future__ import annotations

import pytest

from tabula.chat.markdown import to_html
from tabula.core.router import Route
from tabula.core.state import State
from tabula.ui.views import screen


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
