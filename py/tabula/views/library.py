"""The chat page's list of conversations: search, open, rename, delete with undo. Pure."""

from __future__ import annotations

from tabula.conversations import Conversation, Shelf, search
from tabula.views.html import esc


def library(shelf: Shelf) -> str:
    """A collapsible list (open while searching, renaming or offering Undo)."""
    listed = search(shelf.conversations, shelf.query)
    items = "".join(item(c, shelf) for c in listed) or '<li class="hint">No conversation matches.</li>'
    undo = ""
    if shelf.deleted is not None:
        undo = (
            f'<p class="undo" role="status">Deleted “{esc(shelf.deleted.title)}”. '
            '<button type="button" data-action="undo-delete">Undo</button></p>'
        )
    damaged = (
        f'<p class="error" role="alert">{shelf.damaged} saved conversation(s) could not be read.</p>'
        if shelf.damaged
        else ""
    )
    opened = " open" if shelf.browsing or shelf.renaming or shelf.deleted else ""
    return (
        f'<details class="library"{opened}><summary>Conversations ({len(shelf.conversations)})</summary>'
        f'{undo}{damaged}<form class="search" data-action="search-chats" role="search">'
        '<label for="chat-search" class="sr-only">Search conversations</label>'
        f'<input id="chat-search" name="q" type="search" value="{esc(shelf.query)}" placeholder="Search conversations">'
        '<button type="submit">Search</button></form>'
        f'<ul class="conversations">{items}</ul>{transfer()}</details>'
    )


def transfer() -> str:
    """Export this or every conversation (JSON to import again, Markdown to read); import."""
    return (
        '<form class="transfer" data-action="export-chats"><fieldset><legend>Export</legend>'
        '<label><input type="radio" name="which" value="current" checked> This conversation</label>'
        '<label><input type="radio" name="which" value="all"> All conversations</label>'
        '<label><input type="radio" name="format" value="json" checked> JSON (can be imported again)</label>'
        '<label><input type="radio" name="format" value="md"> Markdown (to read or print)</label>'
        '<button type="submit">Export</button></fieldset></form>'
        '<p class="import"><label class="button">Import conversations…'
        '<input type="file" accept=".json,application/json" data-action="import-chats" class="sr-only"></label>'
        '<span class="hint">A JSON file exported from Tabula. Nothing leaves this device.</span></p>'
    )


def notice(shelf: Shelf) -> str:
    """The chat page's status line after an export, import or copy."""
    kind, text = shelf.notice
    if not text:
        return ""
    role = "alert" if kind == "error" else "status"
    return (
        f'<p class="notice {esc(kind)}" role="{role}">{esc(text)} '
        '<button type="button" class="quiet" data-action="dismiss-notice" aria-label="Dismiss">×</button></p>'
    )


def item(conv: Conversation, shelf: Shelf) -> str:
    cid = esc(conv.id)
    current = ' aria-current="true"' if conv.id == shelf.current else ""
    if conv.id == shelf.renaming:
        return (
            f'<li{current}><form class="rename" data-action="rename-chat"><input type="hidden" name="id" value="{cid}">'
            f'<label class="sr-only" for="rename-{cid}">New name</label>'
            f'<input id="rename-{cid}" name="title" value="{esc(conv.title)}" maxlength="80">'
            '<button type="submit">Save name</button></form></li>'
        )
    return (
        f'<li{current}><button type="button" class="open" data-action="open-chat" data-id="{cid}">{esc(conv.title)}</button>'
        f'<span class="hint">{len(conv.messages)} messages</span>'
        f'<button type="button" class="quiet" data-action="start-rename" data-id="{cid}" aria-label="Rename {esc(conv.title)}">Rename</button>'
        f'<button type="button" class="quiet" data-action="delete-chat" data-id="{cid}" aria-label="Delete {esc(conv.title)}">Delete</button></li>'
    )
