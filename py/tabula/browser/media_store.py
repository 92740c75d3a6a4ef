"""IdbMediaStore (media.ports.MediaStore): photos and audio clips over pwa/js/media.js (issue #25).

The shim decodes, downscales, resamples, records and keeps the bytes in IndexedDB
("tabula-media", store "attachments", made by the shim whoever opened the database first), and shows a stored
attachment wherever a view marks an element `data-media`. Only plain values cross: a picked
File stays a JS object, prepared files come back as dicts, bytes as base64 (for a file export
or the cloud). The limits and every decision are Python's (media/checks.py).
"""

from __future__ import annotations

import asyncio

from pyodide.ffi import jsnull
from pyscript import js_import

from tabula.browser._js import absolute, js_object


class IdbMediaStore:
    def __init__(self) -> None:
        self._shim = None
        self._opening = asyncio.ensure_future(self._load())  # at boot: saved chats show their media

    async def _load(self):
        (shim,) = await js_import(absolute("js/media.js"))
        await shim.open()
        self._shim = shim
        return shim

    async def open(self):
        """The shim, loaded once (from then on it shows stored attachments where views ask)."""
        if self._shim is None and self._opening.done() and self._opening.exception() is not None:
            self._opening = asyncio.ensure_future(self._load())  # IndexedDB refused once: try again
        return await self._opening

    def describe(self, file: object) -> tuple[str, str, int]:
        return str(file.name), str(file.type), int(file.size)

    async def prepare(self, file: object, attachment_id: str, kind: str, limits: dict) -> dict:
        found = await (await self.open()).prepare(file, attachment_id, kind, js_object(limits))
        return found.to_py()

    async def start_recording(self) -> str:
        return str(await (await self.open()).startRecording())

    async def stop_recording(self, attachment_id: str, limits: dict) -> dict:
        found = await (await self.open()).stopRecording(attachment_id, js_object(limits))
        return found.to_py()

    def cancel_recording(self) -> None:
        if self._shim is not None:
            self._shim.cancelRecording()

    async def read(self, attachment_id: str) -> tuple[str, str] | None:
        found = await (await self.open()).read(attachment_id)
        return None if found is None or found is jsnull else (str(found[0]), str(found[1]))

    async def write(self, attachment_id: str, kind: str, mime: str, data: str) -> None:
        await (await self.open()).write(attachment_id, kind, mime, data)

    async def ids(self) -> list[str]:
        return [str(i) for i in await (await self.open()).ids()]

    async def delete(self, attachment_id: str) -> None:
        await (await self.open()).remove(attachment_id)
