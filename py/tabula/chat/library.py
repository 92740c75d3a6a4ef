"""Library: the conversations on this device. Loads them at boot, saves the chat as it changes
(and a streaming answer's partial text about once a second, so a killed browser loses nothing),
switches, renames, deletes with undo, and searches. Pure over the ChatStore port.

Writes go through chat/saving.py's Saver: the newest state of each conversation is what stays
stored, and a refused write is told on the chat page (Shelf.unsaved) and tried again until it
succeeds. New conversations get random ids (uuid4), so two tabs never pick the same one.

Windows of one origin share the store: what this window saves or deletes it tells the others
(`broadcast`, once the conversation's answers have ended), and what another tells it (`heard`)
is merged by message id into its copy on the shelf (chat/conversations.py `merged`), and shown
when no answer is being written here. The shelf's copy is what is saved (partial saves too), so
no window saves its copy over messages another wrote in the same conversation.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tabula.chat.conversations import (
    Conversation,
    Shelf,
    combined,
    from_record,
    merged,
    removing,
    search,
    to_record,
    with_messages,
)
from tabula.chat.documents import Document
from tabula.chat.messages import FINAL_STATUSES
from tabula.chat.ports import Broadcast, ChatStore
from tabula.chat.saving import Saver
from tabula.core.actions import ChatOpened, ShelfChanged, Store
from tabula.core.tasks import Spawn
from tabula.i18n.translate import tr

if TYPE_CHECKING:
    from tabula.core.state import State

PARTIAL_EVERY = 1.0  # seconds between saves of a streaming answer


class Library:
    def __init__(
        self, store: Store, chats: ChatStore, spawn: Spawn,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.store, self.chats, self.spawn, self.clock = store, chats, spawn, clock
        self.saver = Saver(chats, spawn, self._refused)
        self._last_partial = 0.0
        self.broadcast: Broadcast | None = None  # the other windows (main.py connects it)
        self._hearing = False
        store.subscribe(self._changed)

    @property
    def shelf(self) -> Shelf:
        return self.store.state.shelf

    async def load(self) -> None:
        """Read every saved conversation and open the most recent (or a new one)."""
        convs, damaged = [], 0
        for record in await self.chats.load():
            try:
                convs.append(from_record(record))
            except ValueError:
                damaged += 1
        shelf = Shelf(damaged=damaged)
        for conv in convs:
            shelf = shelf.put(conv)
        current = shelf.conversations[0] if shelf.conversations else self._fresh()
        self.store.dispatch(ShelfChanged(replace(shelf.put(current), current=current.id)))
        self.store.dispatch(ChatOpened(current.messages))

    def _fresh(self) -> Conversation:
        now = self.clock()
        return Conversation(f"c{uuid.uuid4().hex}", tr("New chat"), now, now)

    def _refused(self, refused: dict[str, str]) -> None:
        """The saver's news: which conversations are not saved, and why ("" when all are)."""
        unsaved = tuple(sorted(refused.items()))
        if unsaved != self.shelf.unsaved:
            self.store.dispatch(ShelfChanged(replace(self.shelf, unsaved=unsaved)))

    def _changed(self, old: State, new: State) -> None:
        """Keep the current conversation in step with the chat, and save it; when the storage
        was measured again (space may have been freed), retry what was refused."""
        if new.storage != old.storage and new.shelf.unsaved:
            self.saver.retry()
        current = new.shelf.get(new.shelf.current)
        if self._hearing or current is None or new.messages in (current.messages, old.messages):
            return
        if old.shelf.current != new.shelf.current:
            return
        gone = {m.id for m in old.messages} - {m.id for m in new.messages}  # e.g. Regenerate's
        current = removing(current, gone)  # other windows' messages stay, those taken out do not
        edited = frozenset(m.id for m in set(new.messages) - set(old.messages))  # this window's, now
        messages = merged(current.messages, new.messages, current.removed, edited)
        conv = with_messages(current, messages, self.clock())
        self.store.dispatch(ShelfChanged(replace(new.shelf.put(conv), deleted=None)))
        idle = all(m.status in FINAL_STATUSES for m in conv.messages)
        self._save(conv, tell=idle)
        if idle and conv.messages != new.messages:  # another window's messages waited for this
            self._show(conv.messages)

    def _show(self, messages: tuple) -> None:
        """Put the shelf's copy of the conversation on screen (not itself a change to save)."""
        self._hearing = True
        try:
            self.store.dispatch(ChatOpened(messages))
        finally:
            self._hearing = False

    def _save(self, conv: Conversation, tell: bool = True) -> None:
        """Save `conv`; with `tell`, the other windows hear it too (not while an answer streams:
        they would read it as interrupted)."""
        record = to_record(conv)
        self.saver.save(conv.id, record)
        if tell and self.broadcast is not None:
            self.broadcast.post(json.dumps({"kind": "saved", "id": conv.id, "record": record}))

    def heard(self, text: str) -> None:
        """Another window saved or deleted a conversation: keep this window in step with it."""
        try:
            news = json.loads(text)
            kind, conversation_id = news["kind"], str(news["id"])
            conv = from_record(news["record"]) if kind == "saved" else None
        except (ValueError, KeyError, TypeError):
            return
        self._hearing = True
        try:
            self._take(conversation_id, conv)
        finally:
            self._hearing = False

    def _take(self, conversation_id: str, conv: Conversation | None) -> None:
        """Put another window's copy on the shelf (None: it was deleted), and on screen when
        it is the conversation shown here and no answer is being written in it."""
        shown = conversation_id == self.shelf.current
        idle = all(m.status in FINAL_STATUSES for m in self.store.state.messages)
        if conv is None and shown and idle:
            fresh = self._fresh()
            shelf = replace(self.shelf.without(conversation_id).put(fresh), current=fresh.id)
            self.store.dispatch(ShelfChanged(shelf))
            self.store.dispatch(ChatOpened(()))
            return
        if conv is None:
            if not shown:  # else: an answer is being written in it here; it will be saved again
                self.store.dispatch(ShelfChanged(self.shelf.without(conversation_id)))
            return
        both = combined(self.shelf.get(conversation_id), conv)
        self.store.dispatch(ShelfChanged(self.shelf.put(both)))
        if shown and idle:
            self.store.dispatch(ChatOpened(both.messages))
        if {m.id for m in both.messages} - {m.id for m in conv.messages} and idle:  # it lacks ours: tell it
            self._save(both)

    def partial(self, answer_id: int, text: str) -> None:
        """A streaming answer's text so far: saved at most once a second (never once it ended:
        its final save holds the whole text)."""
        now = self.clock()
        current = self.shelf.get(self.shelf.current)
        answer = next((m for m in self.store.state.messages if m.id == answer_id), None)
        if current is None or answer is None or answer.status in FINAL_STATUSES:
            return
        if now - self._last_partial < PARTIAL_EVERY:
            return
        self._last_partial = now
        messages = tuple(replace(m, text=text) if m.id == answer_id else m for m in self.store.state.messages)
        conv = with_messages(current, merged(current.messages, messages, current.removed), now)
        self.saver.save(conv.id, to_record(conv))

    def new(self, keep_undo: bool = False) -> None:
        """Start a new conversation (the chat is about to be cleared)."""
        conv = self._fresh()
        shelf = self.shelf
        empty = tuple(c.id for c in shelf.conversations if not c.messages)
        for gone in empty:
            shelf = shelf.without(gone)
        deleted = shelf.deleted if keep_undo else None
        self.store.dispatch(ShelfChanged(replace(shelf.put(conv), current=conv.id, deleted=deleted)))

    def open(self, conversation_id: str) -> bool:
        """Show another conversation; False when it does not exist."""
        conv = self.shelf.get(conversation_id)
        if conv is None or conversation_id == self.shelf.current:
            return False
        self.store.dispatch(ShelfChanged(replace(self.shelf, current=conv.id, renaming="", browsing=False)))
        self.store.dispatch(ChatOpened(conv.messages))
        return True

    def rename(self, conversation_id: str, title: str) -> None:
        conv, title = self.shelf.get(conversation_id), " ".join(title.split())[:80]
        if conv is None:
            return
        named = replace(conv, title=title or conv.title, named=bool(title))
        self.store.dispatch(ShelfChanged(replace(self.shelf.put(named), renaming="", browsing=True)))
        self._save(named)

    def start_rename(self, conversation_id: str) -> None:
        self.store.dispatch(ShelfChanged(replace(self.shelf, renaming=conversation_id, browsing=True)))

    def delete(self, conversation_id: str) -> str | None:
        """Delete a conversation (Undo brings it back); the id to open instead if it was shown."""
        conv = self.shelf.get(conversation_id)
        if conv is None:
            return None
        shelf = replace(self.shelf.without(conversation_id), deleted=conv, renaming="", browsing=True)
        self.store.dispatch(ShelfChanged(shelf))
        self.saver.delete(conversation_id)
        if self.broadcast is not None:
            self.broadcast.post(json.dumps({"kind": "deleted", "id": conversation_id}))
        return conversation_id if conversation_id == shelf.current else None

    def undo(self) -> Conversation | None:
        conv = self.shelf.deleted
        if conv is None:
            return None
        self.store.dispatch(ShelfChanged(replace(self.shelf.put(conv), deleted=None, browsing=True)))
        self._save(conv)
        return conv

    def search(self, query: str) -> None:
        self.store.dispatch(ShelfChanged(replace(self.shelf, query=query.strip()[:100], browsing=True)))

    def listed(self) -> tuple[Conversation, ...]:
        return search(self.shelf.conversations, self.shelf.query)

    def adopt(self, convs: tuple[Conversation, ...]) -> None:
        """Add imported conversations (their ids are new to this device) and save them."""
        shelf = self.shelf
        for conv in convs:
            shelf = shelf.put(conv)
        self.store.dispatch(ShelfChanged(replace(shelf, browsing=True)))
        for conv in convs:
            self._save(conv)

    def set_mode(self, mode: str) -> None:
        """Put the current conversation in `mode` (e.g. "tutor": its own system prompt)."""
        conv = self.shelf.get(self.shelf.current)
        if conv is not None and conv.mode != mode:
            self.store.dispatch(ShelfChanged(self.shelf.put(replace(conv, mode=mode))))

    def keep_document(self, doc: Document, replacing: Document | None = None) -> None:
        """Keep `doc` (its text and page map) with the current conversation, once, and save it;
        in the place of `replacing` (the same document before its scanned pages were read)."""
        conv = self.shelf.get(self.shelf.current)
        if conv is None or not doc.title or not doc.sections:
            return
        kept = [d for d in conv.documents if (d.title, d.text) != (doc.title, doc.text)]
        at = next((i for i, d in enumerate(kept) if d == replacing), len(kept))
        kept[at : at + 1] = [doc]
        self._documents(replace(conv, documents=tuple(kept)))

    def keeps(self, doc: Document) -> bool:
        """Whether the current conversation keeps `doc`."""
        conv = self.shelf.get(self.shelf.current)
        return conv is not None and doc in conv.documents

    def drop_document(self, index: int) -> None:
        """Remove the current conversation's document number `index`: its text leaves storage."""
        conv = self.shelf.get(self.shelf.current)
        if conv is not None and 0 <= index < len(conv.documents):
            self._documents(replace(conv, documents=conv.documents[:index] + conv.documents[index + 1 :]))

    def _documents(self, conv: Conversation) -> None:
        self.store.dispatch(ShelfChanged(self.shelf.put(conv)))
        self._save(conv, tell=all(m.status in FINAL_STATUSES for m in conv.messages))
