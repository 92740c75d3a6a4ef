"""Starters: the handlers behind the empty chat's use cases (summarize: a long document part by
part, chat/summarizing.py; tutor; rewrite or translate; ask about a document: its best passages,
chat/retrieval.py) and the files opened for them (read on this device: handlers/documents.py);
later questions asked of a conversation's documents and the composer's Add a document
(handlers/followups.py); scanned pages read as pictures, the result put where the document was
opened (handlers/scans.py). Pure over the Chat, the Library and chat.ports.LocalFiles.
"""

from __future__ import annotations

from collections.abc import Callable

from tabula.chat import retrieval, scans, usecases
from tabula.chat.answering import Chat, reserve_for, system_for
from tabula.chat.documents import Document
from tabula.chat.library import Library
from tabula.chat.ports import LocalFiles
from tabula.chat.summarizing import Summarizer, first_part
from tabula.core.actions import Store
from tabula.core.decide import decide_for
from tabula.engine.errors import EngineError
from tabula.engine.queue import InferenceQueue
from tabula.ui.handlers.documents import DocumentOpener
from tabula.ui.handlers.followups import COMPOSER, FollowUps
from tabula.ui.handlers.scans import Pending, ScanReader
from tabula.ui.ports import Handler, Page

TEMPLATE_TOKENS = 16  # the chat template's own tokens around the message
FIT_ATTEMPTS = 4  # a note or document file larger than this is refused before reading


class Starters:
    def __init__(
        self, store: Store, chat: Chat, queue: InferenceQueue, library: Library, files: LocalFiles,
        page: Page, new_chat: Callable[[], None], notice: Callable[[str, str], None],
        switch: Callable[[str], None] | None = None,
    ) -> None:  # fmt: skip
        self.store, self.chat, self.library, self.files, self.page = store, chat, library, files, page
        self.queue = queue
        self.new_chat, self.notice = new_chat, notice
        self.scans = ScanReader(store, queue, files, notice, self._place, switch)
        readers = lambda: scans.readers_for(store.state)  # noqa: E731
        self.opener = DocumentOpener(files, page, notice, readers, self.scans.offer)
        self.summarizer = Summarizer(chat)
        self.follow_ups = FollowUps(store, chat, library, self.opener, self._fit, notice)

    def table(self) -> dict[str, Handler]:
        return {
            "use-summarize": self.summarize,
            "use-rewrite": lambda d: self._start(
                lambda n: usecases.rewrite(d.get("text", ""), d.get("how", ""), n), d
            ),
            "use-document": self.ask_document,
            "use-tutor": self.tutor,
            "cancel-reading": lambda _d: self.scans.cancel() if self.scans.busy else self.opener.cancel(),
            "read-scans": lambda _d: self.chat.tasks.spawn(self.scans.read()),
        }

    def _place(self, pending: Pending, doc: Document) -> bool:
        """Put `doc` (its scanned pages read) where `pending.doc` was opened: its box, while it
        holds it, and the conversation that keeps it (the composer's: the one it was added to);
        False when it is in neither any more."""
        old, placed = pending.doc, False
        if self.opener.opened.get(pending.target) is old:
            self.opener.opened[pending.target] = doc
            self.page.fill(pending.target, doc.text)
            placed = True
        here = self.store.state.shelf.current == pending.conversation
        if here and (self.library.keeps(old) or pending.target == COMPOSER):
            self.library.keep_document(doc, replacing=old)
            placed = placed or self.library.keeps(doc)
        return placed

    def ask_document(self, data: dict[str, str]) -> None:
        """Ask about the document in the box: the passages that answer best, with their pages."""
        try:
            doc = self.opener.document("document-text", data.get("text", ""))
        except ValueError as problem:
            return self.notice("error", str(problem))
        self.library.keep_document(doc)
        self._start(lambda n: retrieval.ask(doc, data.get("question", ""), n), data)

    def summarize(self, data: dict[str, str]) -> None:
        """Summarize the note or document in the box: in one answer when it fits, else part by
        part on the device (chat/summarizing.py)."""
        text = data.get("text", "")
        try:
            doc = self.opener.document("summary-text", text)
        except ValueError as problem:
            return self.notice("error", str(problem))
        self.library.keep_document(doc)
        self.chat.tasks.spawn(self._summarize(doc, text))

    async def _summarize(self, doc: Document, text: str) -> None:
        if decide_for(self.store.state, "chat").where == "cloud":  # its context is large
            return await self._send(lambda n: usecases.summarize(text, n), text)
        try:
            size, _message = await self._fit(lambda n: first_part(doc, n), text)
        except EngineError as error:
            return self.notice("error", error.message)
        self.notice("", "")
        if self.summarizer.parts(doc, size) == 1:
            return self.chat.send(usecases.summarize(text, size))
        self.summarizer.start(doc, size)

    def _start(self, make: Callable[[int], str], data: dict[str, str]) -> None:
        self.chat.tasks.spawn(self._send(make, data.get("text", "")))

    async def _count(self, text: str) -> int:
        return await self.queue.count(text, tag="starter")

    async def _send(self, make: Callable[[int], str], text: str) -> None:
        """Build the message with parts sized to fit the engine answering now, then send it."""
        try:
            message = await self._fitted(make, text)
        except ValueError as problem:
            return self.notice("error", str(problem))
        except EngineError as error:
            return self.notice("error", error.message)
        self.notice("", "")
        self.chat.send(message)

    async def _fitted(self, make: Callable[[int], str], text: str) -> str:
        return (await self._fit(make, text))[1]

    async def _fit(self, make: Callable[[int], str], text: str, share: float = 1.0) -> tuple[int, str]:
        """(size, make(size)) with the largest part size whose message fits `share` of the local
        model's context left to it, measured with its own tokenizer (the cloud's context is
        large: one generous size)."""
        state = self.store.state
        tokens = int(state.settings.engine_options(state.model_limit)["maxTokens"])
        if decide_for(state, "chat").where == "cloud":
            return usecases.CLOUD_CHARS, make(usecases.CLOUD_CHARS)
        room = tokens - reserve_for(tokens) - await self._count(system_for(state)) - TEMPLATE_TOKENS
        budget = int(room * share)
        sample = text.strip()[: usecases.SAMPLE_CHARS] or "x"
        size = usecases.part_chars(budget, len(sample) / max(1, await self._count(sample)))
        for _attempt in range(FIT_ATTEMPTS):
            message = make(size)
            used = await self._count(message)
            if used <= budget or size <= usecases.MIN_PART:
                return size, message
            size = max(usecases.MIN_PART, int(size * budget / used * usecases.SAFETY))
        return size, message

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
        """Read a picked file (.txt, .md, .pdf, .docx) here and put its text in the box `target`
        (the composer's: keep it with the conversation)."""
        if target == COMPOSER:
            return await self.follow_ups.add(file)
        await self.opener.open(target, file)

    def follow_up(self, text: str) -> bool:
        """A message from the composer, asked of the conversation's documents if it keeps any."""
        return self.follow_ups.take(text)
