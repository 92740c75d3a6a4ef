"""The model-bytes port: durable model chunks (OPFS in the browser); the bytes never reach Python.

browser/opfs.py implements it; tests/fakes.py fakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tabula.models.transfers import FileChoice, Quota, Stored, Transfer

from typing import Protocol

ProgressCallback = Callable[[int], None]


class ModelStore(Protocol):
    """Durable model bytes (OPFS in the browser), kept as fixed-size chunks. The bytes never
    reach Python: every method takes and returns plain values (see models/transfers.py's records)."""

    async def stored(self) -> list[Stored]:
        """Every model folder on this device, whole or partial."""

    async def prepare(self, model_id: str, chunk: int, total: int | None) -> int:
        """Drop irregular leftovers; return how many bytes are stored whole (where to resume)."""

    async def fetch(
        self, model_id: str, url: str, start: int, chunk: int, on_progress: ProgressCallback,
        refuse: tuple[str, ...] = (), validator: str = "", whole: bool = False,
    ) -> Transfer:  # fmt: skip
        """Append `url`'s bytes from `start` (HTTP Range); never raises. These store nothing: a
        Content-Type starting with one of `refuse` (kind "type"); a validator (ETag, else
        Last-Modified) other than `validator` (kind "changed": another file); a 206 starting
        elsewhere (kind "range"); a 200 to a resume unless `whole` (kind "whole": Range ignored;
        with `whole` its first `start` bytes are skipped). The result carries the validator."""

    async def head(self, model_id: str, size: int) -> bytes:
        """The first `size` stored bytes of the model (fewer when less is stored)."""

    def abort(self, model_id: str) -> None:
        """Stop the model's running transfer (it then returns kind "aborted")."""

    async def import_file(
        self, file: FileChoice, model_id: str, chunk: int, on_progress: ProgressCallback
    ) -> Transfer:
        """Copy a user-picked local file into the model's chunks; never raises."""

    async def digest(self, model_id: str, on_progress: ProgressCallback) -> tuple[str, int]:
        """(sha256 hex, size) of the stored bytes."""

    async def commit(self, model_id: str, meta: str) -> None:
        """Mark the model verified (only committed models are ever loaded)."""

    async def remove(self, model_id: str) -> None:
        """Delete the model's bytes, whole or partial, freeing the space."""

    async def estimate(self) -> Quota:
        """The origin's storage quota and usage, and whether storage is persistent."""

    async def can_store(self, size: int) -> bool:
        """Whether the browser will let `size` more bytes be stored (asked, not estimated)."""

    async def persist(self) -> bool:
        """Ask the browser to keep our storage under pressure; True when granted."""


class WindowLock(Protocol):
    """The one engine per origin: held by the window that runs the engine and the downloads
    (the Web Locks API in the browser)."""

    async def hold(self, steal: bool, on_lost: Callable[[], None]) -> bool:
        """Take the lock (from another window too, when `steal`); False when another holds it.
        `on_lost()` runs if another window takes it later."""
