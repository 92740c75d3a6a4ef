"""The chat's ports: durable conversations, the streaming painter, and files and the clipboard.

browser/indexeddb.py, browser/painter.py and browser/local_files.py implement them; tests/fakes.py
fakes them. SaveFailed and StorageFull are how a ChatStore says a write did not reach the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tabula.media.ports import MediaStore


class SaveFailed(Exception):
    """A save or delete did not reach the disk (nothing of it was written); the text says why."""


class StorageFull(SaveFailed):
    """A save or delete did not reach the disk because the device's storage (or the browser's
    share of it) is full."""


class ChatStore(Protocol):
    """Durable conversations (IndexedDB in the browser): JSON-safe records by conversation id."""

    async def load(self) -> list[object]:
        """Every saved record (possibly damaged: the caller validates)."""

    async def save(self, conversation_id: str, record: dict) -> None:
        """Store `record` under the id; returns once it is on disk (the write committed), else
        raises StorageFull or SaveFailed. A failure never blocks later saves."""

    async def delete(self, conversation_id: str) -> None:
        """Remove the record; returns once that is on disk, else raises as save() does."""


class StreamPainter(Protocol):
    """Shows streaming text in one message's node, at most once per animation frame."""

    def show(self, message_id: int, text: str) -> None: ...

    def follow(self, message_id: int, pull: Callable[[], object]) -> None:
        """Call `pull` before each paint until `forget(message_id)`: it takes the new text (which
        comes back through `show`), so text is taken once per paint, not once per token."""

    def repaint(self) -> None:
        """Paint every live stream again (after its node was re-rendered)."""

    def forget(self, message_id: int) -> None: ...


class DocumentReader(Protocol):
    """PDF and .docx files read on this device, in a worker (browser/doc_reader.py): plain values
    out, the decisions left to chat/documents.py."""

    def describe(self, file: object) -> tuple[str, int]:
        """(name, size in bytes) of a picked file."""

    async def head(self, file: object, count: int) -> bytes:
        """Its first `count` bytes."""

    async def read(
        self, file: object, kind: str, max_pages: int, progress: Callable[[int, int], None]
    ) -> dict:
        """{"pages": [text, ...]} (pdf), {"html": ...} (docx) or {"error": name, "pages": n};
        progress(done, total) as it goes. Raises an exception after cancel()."""

    def cancel(self) -> None:
        """End the read in progress at once."""

    async def render(self, file: object, page: int, max_side: int) -> dict:
        """Page `page` of a picked PDF drawn as a picture on this device, its longest side
        `max_side` pixels: {"image": a JPEG (an opaque browser Blob, for MediaStore.prepare),
        "width", "height"}, or {"error": name}. The file stays open for the next page until
        end_rendering(); raises an exception after it."""

    def end_rendering(self) -> None:
        """Close the file drawn from (its worker is ended), at once even mid-page."""


class LocalFiles(Protocol):
    """Files and the clipboard on this device: nothing here touches the network."""

    documents: DocumentReader
    media: MediaStore  # photos and audio clips (issue #25): browser/media_store.py

    async def read_text(self, file: object, limit: int) -> tuple[str, str]:
        """(name, text) of a File the user picked, decoded as UTF-8; ValueError when it is over
        `limit` bytes (checked before reading) or not text."""

    def save_text(self, name: str, text: str, mime: str) -> None:
        """Offer `text` as a download called `name`."""

    async def copy_text(self, text: str) -> bool:
        """Put `text` on the clipboard; False when the browser refused."""


class Broadcast(Protocol):
    """The other windows of this origin (a BroadcastChannel in the browser): text posted here
    reaches each of them, never this window."""

    def post(self, text: str) -> None: ...
