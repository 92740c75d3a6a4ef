"""The document view (issue #24): the page (PDF) or section (Word, text) of a document kept with a
conversation that a question's reference points at, with the passages sent with that question
highlighted (a scanned page's text marked as read from a picture), and the way back to the chat.
Reached at #/doc/<conversation>/<message>/<passage> (`link`): the chat's "Used: page 4" and the
headings of the passages sent link there. Pure.
"""

from __future__ import annotations

import re

from tabula.chat import retrieval
from tabula.chat.conversations import Conversation
from tabula.chat.documents import Document, Section
from tabula.core.state import State
from tabula.i18n.translate import tr
from tabula.ui.views.html import esc

_LINE_END = re.compile(r"(?<!\n)\n(?!\n)")


def link(conversation: str, message: int, index: int) -> str:
    """The view's address for passage `index` of the question `message` in `conversation`."""
    return f"#/doc/{conversation}/{message}/{index}"


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, view, regions) for #/doc/…: the page or section, or why it cannot be shown."""
    back = f'<p class="row"><a class="button" href="#/chat">{esc(tr("Back to the chat"))}</a></p>'
    found = _found(state)
    if found is None:
        said = tr("This passage is not in a document kept with the conversation (it was removed).")
        return tr("Document"), f"<h1>{esc(tr('Document'))}</h1><p>{esc(said)}</p>{back}", {}
    doc, section, spans, at = found
    where = heading(doc, section)
    head = (
        f'<h1>{esc(doc.title)}</h1><p class="doc-where">{esc(where)}</p>'
        if where
        else f"<h1>{esc(doc.title)}</h1>"
    ) + pictured(doc, section)
    label = tr("Text of {name}, {where}", name=doc.title, where=where) if where else doc.title
    text = flowing(section.text) if section.ref == "page" else section.text
    body = f'<div class="doc-text" role="document" aria-label="{esc(label)}">{highlighted(text, spans, at)}</div>'
    title = f"{doc.title}: {where}" if where else doc.title
    return title, f'<article class="doc-view">{head}{back}{body}{back}</article>', {}


def _found(state: State) -> tuple[Document, Section, tuple[tuple[int, int], ...], int] | None:
    """The document, section, highlights and where the passage the route names starts in the
    section's text; None when they are gone."""
    conv_id, _, rest = state.route.asked.partition("/")
    message_id, _, index = rest.partition("/")
    conv = state.shelf.get(conv_id)
    if conv is None or not (message_id.isdigit() and index.isdigit()):
        return None
    asked = _asked(conv, int(message_id))
    place = retrieval.place(conv.documents, asked, int(index)) if asked is not None else None
    if place is None:
        return None
    doc = conv.documents[place.document]
    section = doc.sections[place.section]
    return doc, section, place.spans, section.text.find(asked.used[int(index)][2])  # type: ignore[union-attr]


def _asked(conv: Conversation, message_id: int) -> retrieval.Asked | None:
    message = next((m for m in conv.messages if m.id == message_id and m.role == "user"), None)
    return retrieval.read_back(message.text) if message is not None else None


def heading(doc: Document, section: Section) -> str:
    """ "Page 4 of 7", the section's heading, or "" for a text (shown whole)."""
    if section.ref == "page":
        return tr("Page {n} of {total}", n=section.label, total=doc.pages)
    if section.ref == "section":
        return section.label or tr("The beginning")
    return ""


def pictured(doc: Document, section: Section) -> str:
    """The mark of a page whose text a model read from a picture of it (a scanned page)."""
    if section.ref != "page" or not section.label.isdigit() or int(section.label) not in doc.pictured:
        return ""
    said = tr("Read from a picture of the page by a model: it can misread.")
    return f'<p class="hint doc-picture">{esc(said)}</p>'


def flowing(text: str) -> str:
    """A PDF page's text with its layout's line ends as spaces (paragraphs, blank-line apart,
    stay), the same length so the passages' places hold."""
    return _LINE_END.sub(" ", text)


def highlighted(text: str, spans: tuple[tuple[int, int], ...], here: int = -1) -> str:
    """`text` escaped, each of `spans` in a <mark> (the passages sent); the one holding `here`
    is scrolled into view when the page is painted (browser/dom.py)."""
    parts, at = [], 0
    for start, end in spans:
        reveal = " data-reveal" if start <= here < end else ""
        parts.append(esc(text[at:start]))
        parts.append(f"<mark{reveal}>{esc(text[start:end])}</mark>")
        at = end
    parts.append(esc(text[at:]))
    return "".join(parts)
