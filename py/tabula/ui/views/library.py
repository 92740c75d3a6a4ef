"""The chat page's list of conversations: search, open, rename, delete with undo. Pure."""

from __future__ import annotations

from tabula.chat.conversations import Conversation, Shelf, search
from tabula.i18n.translate import N_, tr, tr_n
from tabula.ui.views.html import esc

FULL_THIS = N_(
    "Could not save this conversation: storage is full. Free some space (for example, delete a model "
    "you do not use); Tabula keeps trying."
)
FAILED_THIS = N_("Could not save this conversation ({error}); Tabula keeps trying.")


def library(shelf: Shelf) -> str:
    """A collapsible list (open while searching, renaming or offering Undo)."""
    listed = search(shelf.conversations, shelf.query)
    nothing = esc(tr("No conversation matches."))
    items = "".join(item(c, shelf) for c in listed) or f'<li class="hint">{nothing}</li>'
    undo = ""
    if shelf.deleted is not None:
        undo = (
            f'<p class="undo" role="status">{esc(tr("Deleted “{title}”.", title=shelf.deleted.title))} '
            f'<button type="button" data-action="undo-delete">{esc(tr("Undo"))}</button></p>'
        )
    unread = tr_n(
        "{count} saved conversation could not be read.",
        "{count} saved conversations could not be read.",
        shelf.damaged,
    )
    damaged = f'<p class="error" role="alert">{esc(unread)}</p>' if shelf.damaged else ""
    search_label = esc(tr("Search conversations"))
    opened = " open" if shelf.browsing or shelf.renaming or shelf.deleted else ""
    return (
        f'<details class="library"{opened}><summary>{esc(tr("Conversations ({count})", count=len(shelf.conversations)))}</summary>'
        f'{undo}{damaged}<form class="search" data-action="search-chats" role="search">'
        f'<label for="chat-search" class="sr-only">{search_label}</label>'
        f'<input id="chat-search" name="q" type="search" value="{esc(shelf.query)}" placeholder="{search_label}">'
        f'<button type="submit">{esc(tr("Search"))}</button></form>'
        f'<ul class="conversations">{items}</ul>{transfer()}</details>'
    )


def transfer() -> str:
    """Export this or every conversation (JSON to import again, Markdown to read); import."""
    return (
        f'<form class="transfer" data-action="export-chats"><fieldset><legend>{esc(tr("Export"))}</legend>'
        f'<label><input type="radio" name="which" value="current" checked> {esc(tr("This conversation"))}</label>'
        f'<label><input type="radio" name="which" value="all"> {esc(tr("All conversations"))}</label>'
        f'<label><input type="radio" name="format" value="json" checked> {esc(tr("JSON (can be imported again)"))}</label>'
        f'<label><input type="radio" name="format" value="md"> {esc(tr("Markdown (to read or print)"))}</label>'
        f'<button type="submit">{esc(tr("Export"))}</button></fieldset></form>'
        f'<p class="import"><label class="button">{esc(tr("Import conversations…"))}'
        '<input type="file" accept=".json,application/json" data-action="import-chats" class="sr-only"></label>'
        f'<span class="hint">{esc(tr("A JSON file exported from Tabula. Nothing leaves this device."))}</span></p>'
    )


def notice(shelf: Shelf) -> str:
    """The chat page's status lines: a save that was refused, and the outcome of an export,
    import or copy."""
    kind, text = shelf.notice
    if not text:
        return unsaved(shelf)
    role = "alert" if kind == "error" else "status"
    close = (
        f'<button type="button" data-action="cancel-reading">{esc(tr("Cancel"))}</button>'
        if kind == "busy"  # a file, or pictures of its pages, being read (ui/handlers/documents.py, scans.py)
        else f'<button type="button" class="quiet" data-action="dismiss-notice" aria-label="{esc(tr("Dismiss"))}">×</button>'
    )
    if kind == "offer" and shelf.offer:  # read a document's scanned pages (ui/handlers/scans.py)
        close = f'<button type="button" data-action="read-scans">{esc(shelf.offer)}</button>{close}'
    return unsaved(shelf) + f'<p class="notice {esc(kind)}" role="{role}">{esc(text)} {close}</p>'


def unsaved(shelf: Shelf) -> str:
    """Why the current conversation (else how many others) could not be saved; Tabula retries."""
    if not shelf.unsaved:
        return ""
    refused = dict(shelf.unsaved)
    why = refused.get(shelf.current) or ("full" if "full" in refused.values() else shelf.unsaved[0][1])
    if shelf.current in refused:
        text = tr(FULL_THIS) if why == "full" else tr(FAILED_THIS, error=why)
    else:
        count = len(refused)
        text = _others(count, why)
    return f'<p class="notice error unsaved" role="alert">{esc(text)}</p>'


def _others(count: int, why: str) -> str:
    """That `count` conversations other than the one on screen could not be saved, and why."""
    if why == "full":
        return tr_n(
            "Could not save {count} conversation: storage is full. Free some space (for example, "
            "delete a model you do not use); Tabula keeps trying.",
            "Could not save {count} conversations: storage is full. Free some space (for example, "
            "delete a model you do not use); Tabula keeps trying.",
            count,
        )
    return tr_n(
        "Could not save {count} conversation ({error}); Tabula keeps trying.",
        "Could not save {count} conversations ({error}); Tabula keeps trying.",
        count,
        error=why,
    )


def item(conv: Conversation, shelf: Shelf) -> str:
    cid = esc(conv.id)
    current = ' aria-current="true"' if conv.id == shelf.current else ""
    if conv.id == shelf.renaming:
        return (
            f'<li{current}><form class="rename" data-action="rename-chat"><input type="hidden" name="id" value="{cid}">'
            f'<label class="sr-only" for="rename-{cid}">{esc(tr("New name"))}</label>'
            f'<input id="rename-{cid}" name="title" value="{esc(conv.title)}" maxlength="80">'
            f'<button type="submit">{esc(tr("Save name"))}</button></form></li>'
        )
    return (
        f'<li{current}><button type="button" class="open" data-action="open-chat" data-id="{cid}">{esc(conv.title)}</button>'
        f'<span class="hint">{esc(tr_n("{count} message", "{count} messages", len(conv.messages)))}</span>'
        f'<button type="button" class="quiet" data-action="start-rename" data-id="{cid}" '
        f'aria-label="{esc(tr("Rename {title}", title=conv.title))}">{esc(tr("Rename"))}</button>'
        f'<button type="button" class="quiet" data-action="delete-chat" data-id="{cid}" '
        f'aria-label="{esc(tr("Delete {title}", title=conv.title))}">{esc(tr("Delete"))}</button></li>'
    )
