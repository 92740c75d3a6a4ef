"""Starters: the handlers behind the empty chat's use cases (summarize, tutor, rewrite or
translate, ask about a document) and the note files opened for them (read on this device).
Pure over the Chat, the Library and ports.LocalFiles.
"""

from __future__ import annotations

from collections.abc import Callable

from tabula import usecases
from tabula.chat import Chat, reserve_for
from tabula.i18n import tr
from tabula.library import Library
from tabula.ports import LocalFiles, Page
from tabula.store import Store

Handler = Callable[[dict[str, str]], object]
NOTE_BYTES = 4_000_000  # a note or document file larger than this is refused before reading


class Starters:
    def __init__(
        self, store: Store, chat: Chat, library: Library, files: LocalFiles, page: Page,
        new_chat: Callable[[], None], notice: Callable[[str, str], None],
    ) -> None:  # fmt: skip
        self.store, self.chat, self.library, self.files, self.page = store, chat, library, files, page
        self.new_chat, self.notice = new_chat, notice

    def table(self) -> dict[str, Handler]:
        size = self.part_chars
        return {
            "use-summarize": lambda d: self._send(lambda: usecases.summarize(d.get("text", ""), size())),
            "use-rewrite": lambda d: self._send(
                lambda: usecases.rewrite(d.get("text", ""), d.get("how", ""), size())
            ),
            "use-document": lambda d: self._send(
                lambda: usecases.ask_document(d.get("text", ""), d.get("question", ""), size())
            ),
            "use-tutor": self.tutor,
        }

    def part_chars(self) -> int:
        """Characters of a note that fit in one message to the engine answering now."""
        state = self.store.state
        tokens = int(state.settings.engine_options(state.model_limit)["maxTokens"])
        return usecases.part_chars(tokens, reserve_for(tokens), state.decide("chat").where == "cloud")

    def _send(self, make: Callable[[], str]) -> None:
        try:
            message = make()
        except ValueError as problem:
            return self.notice("error", str(problem))
        self.notice("", "")
        self.chat.send(message)

    def tutor(self, data: dict[str, str]) -> None:
        """A new conversation in tutor mode, opened with the learner's topic."""
        try:
            opening = usecases.tutor_opening(data.get("topic", ""))
        except ValueError as problem:
            return self.notice("error", str(problem))
        if self.store.state.messages:
            self.new_chat()
        self.library.set_mode("tutor")
        self.chat.send(opening)

    async def open_note(self, target: str, file: object) -> None:
        """Read a picked .txt/.md file here and put its text in the box `target`."""
        try:
            name, text = await self.files.read_text(file, NOTE_BYTES)
        except ValueError:
            return self.notice("error", tr("Open a plain text file (.txt or .md) under 4 MB."))
        self.page.fill(target, text)
        self.notice(
            "ok",
            tr("Opened {name} ({count} characters). It stays on this device.", name=name, count=len(text)),
        )
