"""One message's bubble as HTML, cached: messages are frozen values, so a message shown again
(in the same language, engine status and place) costs a lookup, not a Markdown render."""

from __future__ import annotations

from functools import lru_cache

from tabula.chat import retrieval
from tabula.chat.markdown import finished_html, to_html
from tabula.chat.messages import FINAL_STATUSES, Message
from tabula.i18n import translate as i18n
from tabula.i18n.translate import tr, tr_n
from tabula.ui.views import documents
from tabula.ui.views.attachments import sent
from tabula.ui.views.html import esc


def waiting(engine_status: str) -> str:
    """What a queued answer says while it waits, by the engine's status."""
    match engine_status:
        case "finishing":
            return tr("Finishing the previous answer…")
        case "loading":
            return tr("Loading the model…")
        case "busy":
            return tr("Waiting for the previous answer…")
    return tr("Waiting…")


def bubble(message: Message, engine_status: str, asked: Message | None = None, conv: str = "") -> str:
    """The message's <article> (marked data-key for the log), from the cache when it was shown
    before: only what its HTML depends on is the key. `asked` is the question an answer answers:
    a question about a document gives the answer a "Used: page 4" line. `conv` is the
    conversation's id when it keeps documents: the pages used then open the document view."""
    status = engine_status if message.status == "waiting" else ""
    lang = i18n.current()
    used = _used(asked.text, asked.id, conv, lang) if asked is not None and message.role == "model" else ""
    return _bubble(message, status, lang, used, conv)


@lru_cache(maxsize=256)
def _used(question: str, question_id: int, conv: str, _lang: str) -> str:
    """The pages or sections a question sent, as HTML: each a link to its passage with `conv`."""
    asked = retrieval.read_back(question)
    if asked is None:
        return ""
    seen: dict[str, int] = {}
    for index, (ref, label, _text) in enumerate(asked.used):
        seen.setdefault(retrieval.where(retrieval.Asked("", "", ((ref, label, ""),))), index)
    return ", ".join(reference(shown, conv, question_id, index) for shown, index in seen.items())


def reference(shown: str, conv: str, question_id: int, index: int) -> str:
    """A page or section named in the chat: a link to the document view, where one is kept."""
    if not conv:
        return esc(shown)
    label = tr("Open {where} in the document", where=shown)
    href = esc(documents.link(conv, question_id, index))
    return f'<a class="ref" href="{href}" aria-label="{esc(label)}">{esc(shown)}</a>'


@lru_cache(maxsize=1024)
def _bubble(message: Message, engine_status: str, _lang: str, used: str, conv: str) -> str:
    if message.role == "user":
        asked = question(message.text, conv, message.id)
        return (
            f'<article class="msg user" data-key="m{message.id}">{sent(message.attachments)}{asked}</article>'
        )
    return (
        f'<article class="msg model" id="msg-{message.id}" data-key="m{message.id}" data-status="{esc(message.status)}">'
        f"{note(message)}{body(message, engine_status)}{used_line(message, used)}{meta(message)}{actions(message)}</article>"
    )


def question(text: str, conv: str = "", message_id: int = 0) -> str:
    """A user's message; a question about a document shows the question, and the passages sent
    with it collapsed (each under its page or heading, a link to it with `conv`) so the answer
    can be checked."""
    asked = retrieval.read_back(text)
    if asked is None:
        return f'<div class="text" data-md>{esc(text)}</div>'
    shown = "".join(
        f"<p><strong>{reference(retrieval.where(retrieval.Asked('', '', (used,))), conv, message_id, i)}</strong></p>"
        f"<p>{esc(used[2])}</p>"
        for i, used in enumerate(asked.used)
    )
    summary = tr("Passages sent from {source}: {where}", source=asked.source, where=retrieval.where(asked))
    return (
        f'<div class="text" data-md>{esc(asked.question)}</div>'
        f'<details class="passages"><summary>{esc(summary)}</summary>{shown}</details>'
    )


def used_line(message: Message, used: str) -> str:
    """Under a finished answer about a document: which pages or sections it was given (`used`:
    HTML, each a link where the document is kept)."""
    if not used or message.status not in FINAL_STATUSES:
        return ""
    return f'<p class="used">{esc(tr("Used: {where}", where="{where}")).replace("{where}", used)}</p>'


def note(message: Message) -> str:
    return f'<p class="note" role="note">{esc(message.note)}</p>' if message.note else ""


def body(message: Message, engine_status: str) -> str:
    text_id = f'id="msg-{message.id}-text" data-md data-msg="{message.id}"'
    if message.status == "waiting":
        return f'<div class="text waiting" {text_id}>{esc(waiting(engine_status))}</div>'
    if message.status == "streaming":
        return f'<div class="text streaming" {text_id}>{to_html(message.text, message.id, live=True)}</div>'
    rendered = finished_html(message.text, message.id) if message.text else ""
    error = f'<p class="msg-error" role="alert">{esc(message.error)}</p>' if message.error else ""
    return f'<div class="text" {text_id}>{rendered}</div>{cut(message)}{error}'


def cut(message: Message) -> str:
    """An answer the token budget cut says so, unmissably, with Continue (chat.Chat.go_on)."""
    if not (message.cut and message.status == "done"):
        return ""
    said = esc(tr("Stopped at the length limit: the answer is not finished."))
    label = esc(tr("Continue"))
    return (
        f'<p class="msg-cut" role="note">{said} '
        f'<button type="button" data-action="continue" data-id="{message.id}">{label}</button></p>'
    )


def meta(message: Message) -> str:
    if message.status not in FINAL_STATUSES or (message.status == "cancelled" and not message.text):
        return f'<p class="meta">{esc(tr("Cancelled"))}</p>' if message.status == "cancelled" else ""
    parts = [message.engine] if message.engine else []
    if message.ttft_ms is not None:
        parts.append(tr("first token {ms} ms", ms=f"{message.ttft_ms:.0f}"))
    if message.tokens_per_s is not None:
        parts.append(tr("{rate} tokens/s", rate=f"{message.tokens_per_s:.1f}"))
    if message.tokens:
        parts.append(tr_n("{count} token", "{count} tokens", message.tokens))
    if message.status == "stopped":
        parts.append(tr("stopped"))
    return f'<p class="meta">{esc(" · ".join(parts))}</p>' if parts else ""


def actions(message: Message) -> str:
    """Cancel or Stop while it is written; once final, Regenerate, which the page shows only on the
    log's last item (CSS), so a new message never paints the answer before it again."""
    if message.status in ("waiting", "streaming"):
        label = tr("Cancel") if message.status == "waiting" else tr("Stop")
        return (
            f'<div class="msg-actions"><button type="button" data-action="cancel" '
            f'data-id="{message.id}">{esc(label)}</button></div>'
        )
    if message.status in FINAL_STATUSES:
        regenerate = esc(tr("Regenerate"))
        return f'<div class="msg-actions regenerate"><button type="button" data-action="regenerate">{regenerate}</button></div>'
    return ""
