"""One function per route: State -> (title, view HTML). Pure."""

from __future__ import annotations

from tabula.store import State
from tabula.views.html import esc
from tabula.views.markdown import to_html

ABOUT = """
Tabula runs Google's **Gemma** models on this device, in the browser, with no server.
Once a model is downloaded it works with the network off.

**Privacy.** What you type stays on this device. Nothing is sent anywhere unless you switch
on the optional cloud engine yourself.

The app is written in Python running in your browser ([PyScript](https://pyscript.net) on
Pyodide) and uses MediaPipe's LLM Inference on WebGPU.
"""


def heading(text: str) -> str:
    return f"<h1>{esc(text)}</h1>"


def about(state: State) -> tuple[str, str, dict[str, str]]:
    """What Tabula is, its privacy promise, and the exact versions running."""
    facts = "".join(
        f"<dt>{esc(name)}</dt><dd>{esc(version)}</dd>"
        for name, version in (("Tabula", state.version), *state.runtime)
    )
    body = f'{to_html(ABOUT)}<h2>Versions</h2><dl class="facts">{facts}</dl>'
    return "About", heading("About Tabula") + body, {}


def not_found(state: State) -> tuple[str, str, dict[str, str]]:
    """An unknown route: say so and offer the way home."""
    asked = esc(state.route.asked)
    body = f'<p>There is no page at <code>#/{asked}</code>.</p><p><a href="#/chat">Go to chat</a></p>'
    return "Page not found", heading("Page not found") + body, {}
