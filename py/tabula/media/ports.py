"""The media port: the bytes of photos and audio clips, kept on this device (issue #25).

browser/media_store.py implements it over pwa/js/media.js (IndexedDB "tabula-media", store
"attachments"); tests/fakes.py fakes it. Plain values cross: a picked File stays an opaque
object, a prepared file comes back as a dict, bytes (for a file export or the cloud) as base64.
"""

from __future__ import annotations

from typing import Protocol


class MediaStore(Protocol):
    def describe(self, file: object) -> tuple[str, str, int]:
        """(name, type, size in bytes) of a picked File."""

    async def prepare(self, file: object, attachment_id: str, kind: str, limits: dict) -> dict:
        """Decode `file` (a downscaled image; audio as 16 kHz mono WAV, cut at limits' maxSeconds)
        and store it under `attachment_id`. {"mime", "size", "width", "height"} or {"mime",
        "size", "seconds", "full_seconds"}; {"error": why} when it cannot be decoded (nothing
        stored then)."""

    async def start_recording(self) -> str:
        """Start recording from the microphone (permission is asked now): "" once it records,
        else why not (the browser's error name)."""

    async def stop_recording(self, attachment_id: str, limits: dict) -> dict:
        """End the recording and store it as prepare() does; {"error": why} when nothing was heard."""

    def cancel_recording(self) -> None:
        """End the recording and keep nothing."""

    async def read(self, attachment_id: str) -> tuple[str, str] | None:
        """(type, base64 bytes) of a stored attachment; None when it is not there."""

    async def write(self, attachment_id: str, kind: str, mime: str, data: str) -> None:
        """Store base64 bytes under `attachment_id` (an imported conversation's attachment)."""

    async def ids(self) -> list[str]:
        """The ids of every stored attachment."""

    async def delete(self, attachment_id: str) -> None:
        """Remove a stored attachment (nothing happens when it is not there)."""
