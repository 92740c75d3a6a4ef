"""The conversations list's handlers: new chat, open, rename, delete with undo, search. Pure."""

from __future__ import annotations

from tabula.chat.answering import Chat
from tabula.chat.library import Library
from tabula.ui.ports import Handler


class LibraryControls:
    """Handlers for the list of conversations; New chat starts a new one."""

    def __init__(self, chat: Chat, library: Library) -> None:
        self.chat, self.library = chat, library

    def table(self) -> dict[str, Handler]:
        return {
            "new-chat": lambda _data: self.new(),
            "open-chat": self.open,
            "start-rename": lambda data: self.library.start_rename(data["id"]),
            "rename-chat": lambda data: self.library.rename(data.get("id", ""), data.get("title", "")),
            "delete-chat": self.delete,
            "undo-delete": lambda _data: self.library.undo(),
            "search-chats": lambda data: self.library.search(data.get("q", "")),
            "remove-document": lambda data: self.library.drop_document(int(data.get("index", "-1"))),
        }

    def new(self, keep_undo: bool = False) -> None:
        self.chat.abandon()  # unfinished answers end in the conversation they belong to
        self.library.new(keep_undo)  # before clearing, so the old conversation keeps its messages
        self.chat.clear()

    def open(self, data: dict[str, str]) -> None:
        if self.library.shelf.get(data["id"]) is not None:
            self.chat.abandon()
            self.library.open(data["id"])

    def delete(self, data: dict[str, str]) -> None:
        """Delete a conversation; one being answered on screen ends its answers first (stopped,
        keeping what was written), so the copy Undo restores holds them finished, never waiting."""
        if data["id"] == self.library.shelf.current:
            self.chat.abandon()
        if self.library.delete(data["id"]) is not None:  # it was on screen: show a new one
            self.new(keep_undo=True)
