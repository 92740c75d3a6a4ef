"""The chat's handlers: send, stop, cancel one waiting answer, regenerate, continue, and the
composer's photos and voice notes (ui/handlers/attachments.py); a question in a conversation that
keeps documents goes with their passages (ui/handlers/followups.py). Pure.

Views declare `data-action="name"`; the page's one delegated listener calls App.on_action, which
looks the name up in the table main.py assembles from every module of this package. A handler
takes the element's data-* and form fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tabula.chat.answering import Chat
from tabula.media.ports import MediaStore
from tabula.ui.handlers.attachments import Attachments
from tabula.ui.ports import Handler, Page


class Documents(Protocol):
    def follow_up(self, text: str) -> bool:
        """Ask `text` of the conversation's documents (handlers/followups.py); False: it keeps none."""
        ...


class ChatControls:
    """Handlers for the chat's composer and its answers."""

    def __init__(
        self, page: Page, chat: Chat, media: MediaStore | None = None,
        notice: Callable[[str, str], None] = lambda _kind, _text: None, documents: Documents | None = None,
    ) -> None:  # fmt: skip
        self.page, self.chat, self.documents = page, chat, documents
        self.attachments = Attachments(chat, media, notice) if media is not None else None

    def table(self) -> dict[str, Handler]:
        return {
            **(self.attachments.table() if self.attachments else {}),
            "send": self.send,
            "stop": lambda _data: self.chat.stop(),
            "cancel": lambda data: self.chat.cancel(int(data["id"])),
            "regenerate": lambda _data: self.chat.regenerate(),
            "continue": lambda _data: self.chat.go_on(),
        }

    async def attach(self, file: object) -> None:
        """A photo or sound file picked in the composer or a use case (attach-photo, attach-audio)."""
        if self.attachments is not None:
            await self.attachments.add(file)

    def send(self, data: dict[str, str]) -> None:
        """Send the message with the composer's photos and audio (where they can be taken), or
        with the passages of the conversation's documents that answer it (issue #24)."""
        text = data.get("message", "")
        photos = self.attachments is not None and bool(self.attachments.held.attachments)  # never left behind
        asked = not photos and self.documents is not None and self.documents.follow_up(text)
        if asked or (self.attachments.send(text) if self.attachments else self.chat.send(text)):
            self.page.clear_composer()
