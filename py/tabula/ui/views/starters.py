"""The empty chat's use cases, each a native <details> with its small form. Pure.

Opening a card needs no state (the browser toggles <details>); each form sends one message.
Files (.txt, .md, PDF, Word) are opened with a picker and read on the device into the form's text box.
"""

from __future__ import annotations

from tabula.i18n.translate import tr
from tabula.ui.views.attachments import photo_form, voice_form
from tabula.ui.views.html import esc

ACCEPT = (
    ".txt,.md,.markdown,.pdf,.docx,text/plain,text/markdown,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


def rewrite_choices() -> tuple[tuple[str, str], ...]:
    """(value, label) for each way to rewrite (the values are usecases.REWRITES' keys)."""
    return (
        ("simpler", tr("Simpler words")),
        ("formal", tr("More formal")),
        ("shorter", tr("Shorter")),
        ("fix", tr("Fix spelling and grammar")),
        ("to-en", tr("Translate to English")),
        ("to-es", tr("Translate to Spanish")),
        ("to-fr", tr("Translate to French")),
        ("to-pt", tr("Translate to Portuguese")),
    )


def starters() -> str:
    """Six cards: summarize a note, tutor, rewrite or translate, ask about a document, read a photo,
    a voice note (the last two send the composer's attachments: ui/views/attachments.py)."""
    return (
        f'<section class="starters" aria-labelledby="starters-title"><h2 id="starters-title">{esc(tr("Start with"))}</h2>'
        f"{_summarize()}{_tutor()}{_rewrite()}{_document()}{_photo()}{_voice()}</section>"
    )


def _card(name: str, title: str, hint: str, form: str) -> str:
    return (
        f'<details class="starter" id="start-{name}"><summary><strong>{esc(title)}</strong>'
        f'<span class="hint">{esc(hint)}</span></summary>{form}</details>'
    )


def _text_box(box_id: str, label: str) -> str:
    picker = (
        f'<label class="button">{esc(tr("Open a file (PDF, Word, .txt or .md)…"))}'
        f'<input type="file" class="sr-only" accept="{ACCEPT}" '
        f'data-action="open-note:{box_id}"></label>'
    )
    return (
        f'<label for="{box_id}">{esc(label)}</label>'
        f'<textarea id="{box_id}" name="text" rows="5"></textarea><p class="row">{picker}</p>'
    )


def _summarize() -> str:
    form = (
        '<form data-action="use-summarize">'
        f"{_text_box('summary-text', tr('Your note'))}"
        f'<button type="submit" class="primary">{esc(tr("Summarize"))}</button></form>'
    )
    return _card("summarize", tr("Summarize a note"), tr("Paste it or open a file; it stays here."), form)


def _tutor() -> str:
    form = (
        '<form data-action="use-tutor"><label for="tutor-topic">'
        f"{esc(tr('What do you want to understand?'))}</label>"
        '<input id="tutor-topic" name="topic" autocomplete="off">'
        f'<button type="submit" class="primary">{esc(tr("Start tutoring"))}</button></form>'
    )
    return _card("tutor", tr("Explain step by step"), tr("A patient tutor that asks you questions."), form)


def _rewrite() -> str:
    options = "".join(f'<option value="{v}">{esc(label)}</option>' for v, label in rewrite_choices())
    form = (
        '<form data-action="use-rewrite">'
        f"{_text_box('rewrite-text', tr('Text to rewrite'))}"
        f'<label for="rewrite-how">{esc(tr("How"))}</label><select id="rewrite-how" name="how">{options}</select>'
        f'<button type="submit" class="primary">{esc(tr("Rewrite"))}</button></form>'
    )
    return _card(
        "rewrite", tr("Rewrite or translate"), tr("Simpler, shorter, more formal, or another language."), form
    )


def _document() -> str:
    form = (
        '<form data-action="use-document">'
        f"{_text_box('document-text', tr('The document'))}"
        f'<label for="document-question">{esc(tr("Your question"))}</label>'
        '<input id="document-question" name="question" autocomplete="off">'
        f'<button type="submit" class="primary">{esc(tr("Ask"))}</button></form>'
    )
    hint = tr(
        "A PDF, a Word file or text. The best passages go with your question; the answer says which pages it used."
    )
    return _card("document", tr("Ask about a document"), hint, form)


def _photo() -> str:
    hint = tr("A page, a form or a label: its text is written out, then your question answered.")
    return _card("photo", tr("Read a photo"), hint, photo_form())


def _voice() -> str:
    hint = tr("Record one or add a sound file: it is written out, then summarized or answered.")
    return _card("voice", tr("Voice note"), hint, voice_form())
