"""The rich-HTML door: every HTML string Python paints goes through DOMPurify (pwa/js/rich.js)
before it reaches the DOM, finished code blocks are coloured by highlight.js, and text is put on
the clipboard. Loaded once, before the first paint.

Two policies: a view's HTML gets the app's own, and the message text inside it (what a view
marks `data-md`: the Markdown renderer's output) a strict one of its own, as does the text the
streaming painter paints alone.
"""

from __future__ import annotations

from pyodide.ffi import to_js
from pyscript import js_import

from tabula.browser._js import absolute, js_object

_shim: list = []


async def load(paths: dict[str, str]) -> None:
    """Import the shim and DOMPurify (highlight.js waits until a code block is shown)."""
    (module,) = await js_import(absolute("js/rich.js"))
    await module.load(absolute(paths["purify"]), absolute(paths["highlight"]))
    _shim.append(module)


def paint(element: object, html: str) -> None:
    """Set `element`'s content to a view's `html`, cleaned (its message text strictly), with its
    finished code coloured."""
    _shim[0].paint(element, html)


def paint_text(element: object, html: str) -> None:
    """Set `element`'s content to a message's rendered text, cleaned by the strict policy."""
    _shim[0].paintText(element, html)


def paint_stream(element: object, done: str, open_: str) -> None:
    """Paint a streaming answer: its finished blocks' HTML (`done`, which only grows; what was
    painted of it stays) and its open block's, cleaned by the strict policy."""
    _shim[0].paintStream(element, done, open_)


def paint_items(element: object, keys: list[str], changed: dict[str, str]) -> None:
    """Put `element`'s data-key children in the order `keys`, painting those in `changed` anew
    (cleaned as paint() cleans) and leaving the others' DOM as it is."""
    _shim[0].paintItems(element, to_js(keys), js_object(changed))


async def copy(text: str) -> bool:
    """Put `text` on the clipboard; False when the browser refused."""
    return bool(await _shim[0].copy(text))
