"""One function per route: State -> (title, view HTML). Pure."""

from __future__ import annotations

from tabula.store import State
from tabula.views.html import esc, megabytes
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


def chat(state: State) -> tuple[str, str]:
    """The conversation page (the local engine arrives with the engine issue)."""
    if not state.catalog:
        hint = 'No model on this device yet. <a href="#/models">Choose a model</a> to start.'
    else:
        hint = f'{len(state.catalog)} model(s) available in <a href="#/models">Models</a>.'
    return "Chat", f'{heading("Chat")}<p class="hint">{hint}</p>'


def models(state: State) -> tuple[str, str]:
    """The catalogue of models this build knows."""
    if not state.catalog:
        body = "<p>This build ships no model.</p>"
    else:
        items = "".join(
            f'<li class="model"><strong>{esc(m.label)}</strong> '
            f"<span>{esc(megabytes(m.bytes))} · {esc(m.family)} · {esc(m.source)}</span></li>"
            for m in state.catalog
        )
        body = f'<ul class="models">{items}</ul>'
    return "Models", heading("Models") + body


def settings(state: State) -> tuple[str, str]:
    """Preferences (generation settings arrive with the engine)."""
    rows = f"<dt>Connection</dt><dd>{'Online' if state.online else 'Offline'}</dd>"
    return "Settings", f'{heading("Settings")}<dl class="facts">{rows}</dl>'


def about(state: State) -> tuple[str, str]:
    """What Tabula is, its privacy promise, and the exact versions running."""
    facts = "".join(
        f"<dt>{esc(name)}</dt><dd>{esc(version)}</dd>"
        for name, version in (("Tabula", state.version), *state.runtime)
    )
    body = f'{to_html(ABOUT)}<h2>Versions</h2><dl class="facts">{facts}</dl>'
    return "About", heading("About Tabula") + body


def not_found(state: State) -> tuple[str, str]:
    """An unknown route: say so and offer the way home."""
    asked = esc(state.route.asked)
    body = f'<p>There is no page at <code>#/{asked}</code>.</p><p><a href="#/chat">Go to chat</a></p>'
    return "Page not found", heading("Page not found") + body
