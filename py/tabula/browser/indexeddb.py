"""IdbChatStore (chat.ports.ChatStore) over idb-keyval (pwa/js/chats.js): a save or delete returns
once its IndexedDB transaction has committed, and raises StorageFull or SaveFailed when it did not.

The database and object store are the ones PyScript's `storage` made for earlier builds
(`IDBMap/@pyscript/tabula-chats`, store `entries`, the conversation id as key) and each value
keeps their format, the record's JSON text wrapped as PyScript's Flatted ["generic", text], so
conversations saved before load as they are, nothing is migrated, and an older build (a tab
not yet reloaded) still reads what this one writes.
"""

from __future__ import annotations

import json

from pyodide.ffi import JsException
from pyscript import js_import
from pyscript.flatted import parse, stringify

from tabula.browser._js import absolute
from tabula.chat.ports import SaveFailed, StorageFull

DATABASE = "IDBMap/@pyscript/tabula-chats"
OBJECT_STORE = "entries"


class IdbChatStore:
    def __init__(self, keyval_path: str) -> None:
        self._keyval = keyval_path  # the vendored idb-keyval module, relative to the site
        self._shim = None

    async def _open(self):
        if self._shim is None:
            (shim,) = await js_import(absolute("js/chats.js"))
            await shim.open(absolute(self._keyval), DATABASE, OBJECT_STORE)
            self._shim = shim
        return self._shim

    async def load(self) -> list[object]:
        return [decode(value) for value in await (await self._open()).values()]

    async def save(self, conversation_id: str, record: dict) -> None:
        await self._written("put", conversation_id, stringify(["generic", json.dumps(record)]))

    async def delete(self, conversation_id: str) -> None:
        await self._written("remove", conversation_id)

    async def _written(self, method: str, *args: str) -> None:
        """Open if need be and write; a failure as StorageFull (QuotaExceededError) or SaveFailed."""
        try:
            await getattr(await self._open(), method)(*args)
        except JsException as error:
            text = str(error).removeprefix("Error: ")
            raise (StorageFull if "QuotaExceededError" in text else SaveFailed)(text) from None


def decode(value: object) -> object:
    """The record in a stored value; None for one that is damaged (the library counts it)."""
    try:
        kind, text = parse(value) if isinstance(value, str) else (None, None)
        return json.loads(text) if kind == "generic" and isinstance(text, str) else None
    except (TypeError, ValueError, KeyError, IndexError):
        return None
