"""Documents in a conversation (issue #24): a plain question sent in a conversation that keeps
documents is asked with their best passages (chat/retrieval.py `follow_up`, sized with the
running model's tokenizer like a first question, leaving part of the context to the
conversation before it where the context is large enough for both; a small model's goes to the
passages, and the oldest turns are left out), and the composer's Add a document reads a file (the same reader,
progress and Cancel as the use cases: handlers/documents.py) and keeps it with the conversation
(one whose pages are all images once they are read: handlers/scans.py).
A conversation with no document, or a message with photos or audio, is sent as before. Pure over
the Store, the Chat, the Library and the DocumentOpener.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from tabula.chat import retrieval
from tabula.chat.answering import Chat
from tabula.chat.documents import Document
from tabula.chat.library import Library
from tabula.core.actions import Store
from tabula.core.decide import decide_for
from tabula.engine.errors import EngineError
from tabula.i18n.translate import tr
from tabula.ui.handlers.documents import DocumentOpener, opened_sentence

if TYPE_CHECKING:
    from tabula.chat.conversations import Conversation

COMPOSER = "composer"  # open-note:composer, the composer's Add a document (ui/views/chat.py)
SHARE = 0.6  # of the message's room, what a follow-up's passages may take: the rest is history
Fit = Callable[[Callable[[int], str], str, float], Awaitable[tuple[int, str]]]


class FollowUps:
    """Questions asked of the conversation's documents, and documents added in the composer."""

    def __init__(
        self, store: Store, chat: Chat, library: Library, opener: DocumentOpener, fit: Fit,
        notice: Callable[[str, str], None],
    ) -> None:  # fmt: skip
        self.store, self.chat, self.library, self.opener = store, chat, library, opener
        self.fit, self.notice = fit, notice

    def take(self, text: str) -> bool:
        """Send `text` with the best passages of the conversation's documents; False (nothing
        done) when it has none, the composer holds photos or audio, or no engine can answer."""
        state = self.store.state
        conv = state.shelf.get(state.shelf.current)
        if not text.strip() or conv is None or not conv.documents or state.shelf.composing.attachments:
            return False
        if decide_for(state, "chat").where == "unavailable":
            return False  # sent as typed: the answer says why nothing can answer
        self.chat.tasks.spawn(self._ask(conv, text))
        return True

    async def _ask(self, conv: Conversation, text: str) -> None:
        """Fit the passages to the engine answering now, then send (as typed if that fails)."""
        docs: tuple[Document, ...] = conv.documents
        make = lambda n: retrieval.follow_up(docs, text, n)  # noqa: E731
        if self.chat.answers:  # the tokenizer is asked after the answer being written: say so
            self.notice("ok", tr("Your question goes as soon as the answer being written ends."))
        try:
            size, message = await self.fit(make, docs[0].text, SHARE)
            if size < retrieval.MIN_PASSAGE:  # a small model's context: the passages go first
                size, message = await self.fit(make, docs[0].text, 1.0)
        except EngineError:
            message = text  # the answer will say what is wrong with the engine
        if self.store.state.shelf.current != conv.id:  # another conversation was opened meanwhile
            return self.notice("error", tr("Your question was not sent: another conversation was opened."))
        self.chat.send(message)

    async def add(self, file: object) -> None:
        """The composer's Add a document: read it here and keep it with the conversation."""
        doc = await self.opener.read(file)
        if doc is None:
            return
        self.library.keep_document(doc)  # not one that is all images, until they are read
        said = opened_sentence(doc, self.opener.readers())
        if doc.sections:
            said += " " + tr("Your next questions in this conversation use it.")
        self.opener.tell(doc, file, COMPOSER, said)
