"""Markdown -> safe HTML with markdown-it-py (a vendored browser wheel), and its code blocks.

Raw HTML in the source is escaped, never passed through; images are not rendered (they would
fetch remote content); links are limited to http(s), mailto and in-app hash routes, and web
links open in a new tab with rel="noopener noreferrer". This is the one renderer for any text
that is not ours: the views mark where its output sits (`data-md`) and the browser adapter runs
a strict DOMPurify policy of its own over it, a second wall that allows only what this renderer
emits. Code blocks get a bar with their language and a Copy button; the button carries no
data-action (nothing in message text may): the page's click listener knows it by its place, the
bar of the nth code block. The browser colours the blocks with highlight.js once the answer is
finished (`live` marks a streaming answer).
The finished answer keeps the blocks its stream rendered (finished_html).
markdown-it is imported on first use (or by `warm()` after the first paint): an empty chat
starts without paying for it.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import TYPE_CHECKING

from tabula.i18n.translate import tr

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#")
_WEB = ("http:", "https:")


def esc(text: object) -> str:
    """Text made safe for element content and quoted attributes (as the views' esc)."""
    return escape(str(text), quote=True)


def _code(_self: object, tokens: list[Token], idx: int, _options: object, env: dict) -> str:
    """A code block: a bar (language, Copy when it belongs to a message) over <pre><code>."""
    token = tokens[idx]
    lang = esc(token.info.split()[0][:20]) if token.info.strip() else ""
    copy = (
        f'<button type="button" class="copy">{esc(tr("Copy"))}</button>'
        if env.get("owner") is not None
        else ""
    )
    live = " data-live" if env.get("live") else ""
    label = f'<span class="lang">{lang}</span>' if lang else "<span></span>"
    data_lang = f' data-lang="{lang}"' if lang else ""
    return (
        f'<div class="code"{live}><div class="code-bar">{label}{copy}</div>'
        f"<pre><code{data_lang}>{esc(token.content)}</code></pre></div>\n"
    )


def _link(self: object, tokens: list[Token], idx: int, options: object, env: dict) -> str:
    """A link; a web link opens in a new tab that gets no handle on this one."""
    token = tokens[idx]
    if str(token.attrGet("href") or "").lower().startswith(_WEB):
        token.attrSet("target", "_blank")
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)  # type: ignore[attr-defined]


@cache
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # an image would load remote content the moment it is shown
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)
    md.add_render_rule("fence", _code)
    md.add_render_rule("code_block", _code)
    md.add_render_rule("link_open", _link)
    return md


def warm() -> None:
    """Import and set up markdown-it now (the app calls it when idle after the first paint)."""
    _renderer()


def to_html(text: str, owner: int | None = None, live: bool = False) -> str:
    """Render `text` as HTML with raw HTML escaped and unsafe links left as text. With `owner`
    (a message id) code blocks get a Copy button; `live` marks a streaming answer."""
    return _renderer().render(text, {"owner": owner, "live": live})


def code_blocks(text: str) -> list[str]:
    """The text of each code block in `text`, in the order to_html numbers them."""
    return [t.content for t in _renderer().parse(text) if t.type in ("fence", "code_block")]


def _line_offset(text: str, line: int) -> int:
    """Where line number `line` (0-based) of `text` starts."""
    at = 0
    for _ in range(line):
        at = text.index("\n", at) + 1
    return at


_STREAMS: dict[int, LiveMarkdown] = {}  # owner -> its stream's finished blocks, the newest few
_STREAMS_KEPT = 4


def _rendered_whole(text: str) -> bool:
    """Whether `text` holds what can change an earlier block after the fact (a link reference
    definition, a bare CR): then only the whole text rendered at once is right."""
    return "]:" in text or "\r" in text


def finished_html(text: str, owner: int) -> str:
    """A finished answer's HTML, exactly as to_html(text, owner). When `text` was streamed here
    (a LiveMarkdown for `owner`), the blocks rendered while it streamed are kept and only the
    rest is rendered: the end of a 16 KB answer costs one block, not the whole answer again."""
    stream = _STREAMS.get(owner)
    if stream is None or not stream.source or not text.startswith(stream.source) or _rendered_whole(text):
        return to_html(text, owner)
    return stream.html + to_html(text[len(stream.source) :], owner)


def stream_for(owner: int) -> LiveMarkdown:
    """Answer `owner`'s LiveMarkdown: the one its earlier paints used (their finished blocks are
    kept), or a new one on its first paint."""
    return _STREAMS.get(owner) or LiveMarkdown(owner)


class LiveMarkdown:
    """One streaming answer's Markdown, rendered block by block.

    A top-level block followed by another one is finished: its HTML is kept (rendered as the
    finished answer renders it, so its code is coloured once and nothing jumps at the end) and
    only the last, open block is rendered again for each new text. Text that could change a
    finished block after the fact (a link reference definition, a bare CR) is rendered whole.
    """

    def __init__(self, owner: int | None = None) -> None:
        self.owner, self.source, self.html = owner, "", ""
        if owner is not None:  # finished_html() starts from what this one rendered
            _STREAMS.pop(owner, None)
            _STREAMS[owner] = self
            while len(_STREAMS) > _STREAMS_KEPT:
                del _STREAMS[next(iter(_STREAMS))]

    def render(self, text: str) -> tuple[str, str]:
        """(finished blocks' HTML, the open block's HTML) for the text so far."""
        if _rendered_whole(text):
            self.source, self.html = "", ""
            return "", to_html(text, self.owner, live=True)
        if not text.startswith(self.source):
            self.source, self.html = "", ""
        tail = text[len(self.source) :]
        if not tail:
            return self.html, ""
        md = _renderer()
        tokens = md.parse(tail, {"owner": self.owner})  # once per paint: its blocks, then their HTML
        starts = [(i, t.map[0]) for i, t in enumerate(tokens) if t.level == 0 and t.nesting != -1 and t.map]
        if len(starts) > 1 and starts[-1][1] > 0:
            index, line = starts[-1]
            self.html += md.renderer.render(tokens[:index], md.options, {"owner": self.owner})
            self.source += tail[: _line_offset(tail, line)]
            tokens = tokens[index:]
        return self.html, md.renderer.render(tokens, md.options, {"owner": self.owner, "live": True})
