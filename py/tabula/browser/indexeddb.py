"""IdbChatStore (chat.ports.ChatStore) over PyScript's `storage`: IndexedDB as a persistent dict.

Each conversation is one entry holding its record as JSON text, written and synced on save.
"""

from __future__ import annotations

import json

from pyscript import storage

NAME = "tabula-chats"


class IdbChatStore:
    def __init__(self) -> None:
        self._db = None

    async def _open(self):
        if self._db is None:
            self._db = await storage(NAME)
        return self._db

    async def load(self) -> list[object]:
        records = []
        for value in (await self._open()).values():
            try:
                records.append(json.loads(value))
            except (TypeError, ValueError):
                records.append(None)  # damaged: the library skips it and says so
        return records

    async def save(self, conversation_id: str, record: dict) -> None:
        db = await self._open()
        db[conversation_id] = json.dumps(record)
        await db.sync()

    async def delete(self, conversation_id: str) -> None:
        db = await self._open()
        if conversation_id in db:
            del db[conversation_id]
            await db.sync()
