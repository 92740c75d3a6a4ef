"""Markdown -> safe HTML with markdown-it-py (a vendored browser wheel).

Raw HTML in the source is escaped, never passed through; images are not rendered (they would
fetch remote content); links are limited to http(s), mailto and in-app hash routes. This is the
one renderer for any text that is not ours.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#")


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # an image would load remote content the moment it is shown
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)
    return md


_MD = _renderer()


def to_html(text: str) -> str:
    """Render `text` as HTML with raw HTML escaped and unsafe links left as text."""
    return _MD.render(text)
