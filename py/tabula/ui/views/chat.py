"""The chat page: conversation log (keyed items, one per message, repainted when they change) and
composer."""

from __future__ import annotations

from tabula.chat.conversations import Conversation
from tabula.core.decide import decide_for
from tabula.core.state import State
from tabula.i18n.translate import tr
from tabula.ui.views.attachments import composing, tools
from tabula.ui.views.html import Items, esc
from tabula.ui.views.library import library, notice
from tabula.ui.views.messages import bubble
from tabula.ui.views.starters import ACCEPT, starters

COMPOSER = "composer"  # open-note:composer: a document for the conversation (handlers/followups.py)


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
        '<form class="composer" data-action="send"><div id="attaching" class="attaching"></div>'
        f'<label for="message" class="sr-only">{esc(tr("Message"))}</label>'
        f'<textarea id="message" name="message" rows="2" placeholder="{esc(tr("Ask Gemma…"))}" '
        f'data-enter-submits aria-label="{esc(tr("Message"))}"></textarea>'
        f'<div class="composer-buttons"><button type="submit" class="primary">{esc(tr("Send"))}</button>'
        f'<button type="button" data-action="stop">{esc(tr("Stop"))}</button></div>{tools(add_document())}</form>'
    )
    log = '<div id="log" class="log" role="log" aria-live="polite" aria-label="Conversation"></div>'
    regions = {
        "log": render_log(state), "library": library(state.shelf), "notice": notice(state.shelf),
        "kept": kept_documents(conv), "attaching": composing(state.shelf.composing),
    }  # fmt: skip
    skeleton = (
        head
        + '<div id="library"></div><div id="kept"></div>'
        + log
        + '<div id="notice" class="notices"></div>'
        + composer
    )
    return "Chat", skeleton, regions


def add_document() -> str:
    """The composer's Add a document (issue #24): kept with the conversation, read on the device;
    the next questions use it (ui/handlers/followups.py)."""
    return (
        f'<label class="button">{esc(tr("Add a document"))}<input type="file" class="sr-only" '
        f'accept="{ACCEPT}" data-action="open-note:{COMPOSER}"></label>'
    )


def kept_documents(conv: Conversation | None) -> str:
    """The documents kept with this conversation (issue #24), each with Remove."""
    if conv is None or not conv.documents:
        return ""
    items = "".join(
        f"<li>{esc(doc.title)} "
        f'<button type="button" class="quiet" data-action="remove-document" data-index="{i}" '
        f'aria-label="{esc(tr("Remove {name} from this conversation", name=doc.title))}">'
        f"{esc(tr('Remove'))}</button></li>"
        for i, doc in enumerate(conv.documents)
    )
    return f'<div class="kept-docs"><p>{esc(tr("Documents in this conversation:"))}</p><ul>{items}</ul></div>'


def install_button(state: State) -> str:
    if not state.installable:
        return ""
    label = tr("Install Tabula on this device: it then opens from the home screen, even offline")
    return (
        f'<button type="button" data-action="install" title="{esc(label)}">{esc(tr("Install app"))}</button>'
    )


def render_log(state: State) -> Items:
    """The log as keyed items (the engine's failure, then one per message), so only the ones that
    changed are painted again."""
    problem: Items = ()
    if state.engine_status == "failed" and state.engine_detail:
        problem = (
            (
                "problem",
                f'<div class="msg-error" role="alert" data-key="problem"><p>{esc(state.engine_detail)}</p>'
                f'<button type="button" data-action="restart-engine">{esc(tr("Restart engine"))}</button></div>',
            ),
        )
    return problem + messages(state)


def messages(state: State) -> Items:
    if not state.messages:
        return (("empty", f'<div class="log-empty" data-key="empty">{empty(state)}</div>'),)
    before = (None, *state.messages[:-1])  # each answer with the question it answers
    conv = state.shelf.get(state.shelf.current)
    refs = conv.id if conv is not None and conv.documents else ""  # references open the document view
    return tuple(
        (f"m{m.id}", bubble(m, state.engine_status, q, refs))
        for m, q in zip(state.messages, before, strict=True)
    )


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
