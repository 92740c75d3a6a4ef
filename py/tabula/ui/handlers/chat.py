"""The chat's handlers: send, stop, cancel one waiting answer, regenerate, continue. Pure.

Views declare `data-action="name"`; the page's one delegated listener calls App.on_action, which
looks the name up in the table main.py assembles from every module of this package. A handler
takes the element's data-* and form fields.
"""

from __future__ import annotations

from tabula.chat.answering import Chat
from tabula.ui.ports import Handler, Page


class ChatControls:
    """Handlers for the chat's composer and its answers."""

    def __init__(self, page: Page, chat: Chat) -> None:
        self.page, self.chat = page, chat

    def table(self) -> dict[str, Handler]:
        return {
            "send": self.send,
            "stop": lambda _data: self.chat.stop(),
            "cancel": lambda data: self.chat.cancel(int(data["id"])),
            "regenerate": lambda _data: self.chat.regenerate(),
            "continue": lambda _data: self.chat.go_on(),
        }

    def send(self, data: dict[str, str]) -> None:
        if self.chat.send(data.get("message", "")):
            self.page.clear_composer()
