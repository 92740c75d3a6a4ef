"""The chat page: conversation log (a region repainted on message changes) and composer."""

from __future__ import annotations

from tabula.chat.markdown import to_html
from tabula.chat.messages import FINAL_STATUSES, Message
from tabula.core.decide import decide_for
from tabula.core.state import State
from tabula.i18n.translate import tr, tr_n
from tabula.ui.views.html import esc
from tabula.ui.views.library import library, notice
from tabula.ui.views.starters import starters


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


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, skeleton, regions) for #/chat."""
    model = state.model
    conv = state.shelf.get(state.shelf.current)
    tutor = f'<span class="badge">{esc(tr("Tutor mode"))}</span>' if conv and conv.mode == "tutor" else ""
    head = (
        f'<div class="chat-head"><h1>{esc(tr("Chat"))}</h1>{tutor}'
        f'<span class="hint">{esc(model.label) if model else esc(tr("No model chosen"))}</span>'
        f"{install_button(state)}"
        f'<button type="button" data-action="new-chat">{esc(tr("New chat"))}</button></div>'
    )
    composer = (
        '<form class="composer" data-action="send">'
        f'<label for="message" class="sr-only">{esc(tr("Message"))}</label>'
        f'<textarea id="message" name="message" rows="2" placeholder="{esc(tr("Ask Gemma…"))}" '
        f'data-enter-submits aria-label="{esc(tr("Message"))}"></textarea>'
        f'<div class="composer-buttons"><button type="submit" class="primary">{esc(tr("Send"))}</button>'
        f'<button type="button" data-action="stop">{esc(tr("Stop"))}</button></div></form>'
    )
    log = '<div id="log" class="log" role="log" aria-live="polite" aria-label="Conversation"></div>'
    regions = {"log": render_log(state), "library": library(state.shelf), "notice": notice(state.shelf)}
    skeleton = head + '<div id="library"></div>' + log + '<div id="notice" class="notices"></div>' + composer
    return "Chat", skeleton, regions


def install_button(state: State) -> str:
    if not state.installable:
        return ""
    label = tr("Install Tabula on this device: it then opens from the home screen, even offline")
    return (
        f'<button type="button" data-action="install" title="{esc(label)}">{esc(tr("Install app"))}</button>'
    )


def render_log(state: State) -> str:
    problem = ""
    if state.engine_status == "failed" and state.engine_detail:
        problem = (
            f'<div class="msg-error" role="alert"><p>{esc(state.engine_detail)}</p>'
            f'<button type="button" data-action="restart-engine">{esc(tr("Restart engine"))}</button></div>'
        )
    return problem + messages(state)


def messages(state: State) -> str:
    if not state.messages:
        return empty(state)
    last = state.messages[-1].id
    return "".join(bubble(m, state.engine_status, m.id == last) for m in state.messages)


def empty(state: State) -> str:
    """The empty chat: where answers will come from, and the use cases to start with."""
    decision = decide_for(state, "chat")
    if decision.where == "unavailable":
        no_model = tr("No model on this device yet.")
        fix = tr("Download or import one")
        return f'<p class="hint">{esc(no_model)} <a href="#/models">{esc(fix)}</a>.</p>'
    where = (
        tr("Ask anything. Everything stays on this device.")
        if decision.where == "local"
        else tr("Answers come from the cloud engine you switched on.")
    )
    return f'<p class="hint">{esc(where)}</p>{starters()}'


def bubble(message: Message, engine_status: str, last: bool) -> str:
    if message.role == "user":
        return f'<article class="msg user"><div class="text" data-md>{esc(message.text)}</div></article>'
    return (
        f'<article class="msg model" id="msg-{message.id}" data-status="{esc(message.status)}">'
        f"{note(message)}{body(message, engine_status)}{meta(message)}{actions(message, last)}</article>"
    )


def note(message: Message) -> str:
    return f'<p class="note" role="note">{esc(message.note)}</p>' if message.note else ""


def body(message: Message, engine_status: str) -> str:
    text_id = f'id="msg-{message.id}-text" data-md data-msg="{message.id}"'
    if message.status == "waiting":
        return f'<div class="text waiting" {text_id}>{esc(waiting(engine_status))}</div>'
    if message.status == "streaming":
        return f'<div class="text streaming" {text_id}>{to_html(message.text, message.id, live=True)}</div>'
    rendered = to_html(message.text, message.id) if message.text else ""
    error = f'<p class="msg-error" role="alert">{esc(message.error)}</p>' if message.error else ""
    return f'<div class="text" {text_id}>{rendered}</div>{error}'


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


def actions(message: Message, last: bool) -> str:
    if message.status in ("waiting", "streaming"):
        label = tr("Cancel") if message.status == "waiting" else tr("Stop")
        return (
            f'<div class="msg-actions"><button type="button" data-action="cancel" '
            f'data-id="{message.id}">{esc(label)}</button></div>'
        )
    if last and message.status in FINAL_STATUSES:
        regenerate = esc(tr("Regenerate"))
        return f'<div class="msg-actions"><button type="button" data-action="regenerate">{regenerate}</button></div>'
    return ""
