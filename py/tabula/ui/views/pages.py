"""One function per route: State -> (title, view HTML). Pure."""

from __future__ import annotations

from tabula.chat.markdown import to_html
from tabula.core.state import State
from tabula.i18n.translate import tr
from tabula.ui.views.html import esc


def about_text() -> str:
    """What Tabula is and its privacy promise (Markdown), in the current language."""
    return "\n\n".join(
        (
            tr(
                "Tabula runs Google's **Gemma** models on this device, in the browser, with no server.\n"
                "Once a model is downloaded it works with the network off."
            ),
            tr(
                "**Privacy.** What you type stays on this device. Nothing is sent anywhere unless you switch\n"
                "on the optional cloud engine yourself."
            ),
            tr(
                "The app is written in Python running in your browser ([PyScript](https://pyscript.net) on\n"
                "Pyodide) and uses MediaPipe's LLM Inference on WebGPU."
            ),
        )
    )


def heading(text: str) -> str:
    return f"<h1>{esc(text)}</h1>"


def about(state: State) -> tuple[str, str, dict[str, str]]:
    """What Tabula is, its privacy promise, and the exact versions running."""
    facts = "".join(
        f"<dt>{esc(name)}</dt><dd>{esc(version)}</dd>"
        for name, version in (("Tabula", state.version), *state.runtime)
    )
    body = f'<div data-md>{to_html(about_text())}</div><h2>{esc(tr("Versions"))}</h2><dl class="facts">{facts}</dl>'
    return tr("About"), heading(tr("About Tabula")) + body, {}


def not_found(state: State) -> tuple[str, str, dict[str, str]]:
    """An unknown route: say so and offer the way home."""
    page = f"<code>#/{esc(state.route.asked)}</code>"
    body = (
        f"<p>{tr('There is no page at {page}.', page=page)}</p>"
        f'<p><a href="#/chat">{esc(tr("Go to chat"))}</a></p>'
    )
    return tr("Page not found"), heading(tr("Page not found")) + body, {}
