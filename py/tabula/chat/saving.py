"""Saver: writes conversations through the ChatStore so that each one's newest state is what stays
stored, every refused write is told, and none blocks the next.

Per conversation at most one write is in flight; a save or delete asked for meanwhile replaces
any still waiting (each write is whole, so only the newest matters) and goes when the write in
flight ends. A write the store refuses (StorageFull, SaveFailed) is kept and tried again: with
the conversation's next change, after any other write succeeds, and on retry() (the library
calls it when the storage was measured again, e.g. after a model was deleted). `on_change` hears
the refused ids and why after every write: {id: "full" | the store's error text}. Pure.
"""

from __future__ import annotations

from collections.abc import Callable

from tabula.chat.ports import ChatStore, SaveFailed, StorageFull
from tabula.core.tasks import Spawn

FULL = "full"  # the problem of a write refused because the storage is full

Write = dict | None  # a record to store, or None to delete


class Saver:
    def __init__(self, chats: ChatStore, spawn: Spawn, on_change: Callable[[dict[str, str]], None]) -> None:
        self.chats, self.spawn, self.on_change = chats, spawn, on_change
        self._waiting: dict[str, Write] = {}  # the newest write asked for, not yet started
        self._writing: set[str] = set()  # ids with a write in flight
        self._refused: dict[str, tuple[Write, str]] = {}  # id: (the write refused, why)

    @property
    def refused(self) -> dict[str, str]:
        return {cid: why for cid, (_write, why) in self._refused.items()}

    def save(self, conversation_id: str, record: dict) -> None:
        self._ask(conversation_id, record)

    def delete(self, conversation_id: str) -> None:
        self._ask(conversation_id, None)

    def retry(self) -> None:
        """Try every refused write again (unless a newer one is already on its way)."""
        for cid, (write, _why) in list(self._refused.items()):
            if cid not in self._waiting and cid not in self._writing:
                self._ask(cid, write)

    def _ask(self, conversation_id: str, write: Write) -> None:
        self._waiting[conversation_id] = write
        if conversation_id not in self._writing:
            self._writing.add(conversation_id)
            self.spawn(self._drain(conversation_id))

    async def _drain(self, conversation_id: str) -> None:
        """Write the conversation's newest state until none waits."""
        try:
            while conversation_id in self._waiting:
                await self._write(conversation_id, self._waiting.pop(conversation_id))
        finally:
            self._writing.discard(conversation_id)

    async def _write(self, conversation_id: str, write: Write) -> None:
        try:
            if write is None:
                await self.chats.delete(conversation_id)
            else:
                await self.chats.save(conversation_id, write)
        except SaveFailed as error:
            why = FULL if isinstance(error, StorageFull) else str(error)
            self._refused[conversation_id] = (write, why)
        else:
            self._refused.pop(conversation_id, None)
            self.retry()  # the store took a write: there may be room for the refused ones now
        self.on_change(self.refused)
