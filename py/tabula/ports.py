"""Protocols the pure core talks to; browser/ implements them, tests/fakes.py fakes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tabula.cloud import CloudRequest
    from tabula.downloads import FileChoice, Quota, Stored, Transfer

ActionHandler = Callable[[str, dict[str, str]], None]


class Page(Protocol):
    """The document: the parts of the shell Python paints, and the events it listens to."""

    def set_view(self, html: str, title: str) -> None:
        """Replace the main view and the document title."""

    def set_region(self, region_id: str, html: str) -> None:
        """Replace the inside of one region of the view (element id `region_id`)."""

    def clear_composer(self) -> None:
        """Empty the message box after a send, keeping focus there."""

    def fill(self, element_id: str, text: str) -> None:
        """Put `text` in the form field `element_id` (a note opened from a file)."""

    def set_nav(self, current: str) -> None:
        """Mark the navigation link for page `current` as the current page."""

    def set_net(self, label: str, online: bool) -> None:
        """Show the online/offline indicator."""

    def set_engine(self, label: str) -> None:
        """Show the engine badge text."""

    def set_route(self, label: str) -> None:
        """Show where chat answers come from (Local · model / Cloud · model / Unavailable · why)."""

    def set_banner(self, html: str) -> None:
        """Show a banner above the view ('' hides it)."""

    def set_appearance(self, lang: str, theme: str, labels: dict[str, str]) -> None:
        """Set <html lang> and data-theme (light|dark; none for "system"), and the static shell's
        text: `labels` maps an element's data-label (its text) or data-aria-label name to text."""

    def set_boot_state(self, state: str, message: str = "") -> None:
        """Set <html data-tabula> to booting|ready|error (with a message for error)."""

    def focus_view(self) -> None:
        """Move keyboard focus to the view (after navigation)."""

    def current_hash(self) -> str:
        """The location hash now."""

    def is_online(self) -> bool:
        """navigator.onLine now."""


class Updates(Protocol):
    """The service worker's update channel."""

    def waiting(self) -> bool:
        """Whether a new version is installed and waiting."""

    def apply(self) -> bool:
        """Activate the waiting version and reload; False when none waits."""


TokenCallback = Callable[[str], None]


class Engine(Protocol):
    """A loaded on-device model. Exclusive: one call at a time (InferenceQueue ensures it).

    Adapters raise errors.EngineError. `generate` resolves only when the engine is idle
    again, whether or not `cancel` cut it short.
    """

    label: str

    async def generate(self, prompt: str, on_token: TokenCallback) -> str:
        """Stream text deltas to `on_token`; return the whole text."""

    async def count_tokens(self, text: str) -> int:
        """How many tokens `text` is for this model."""

    async def set_options(self, options: dict[str, float | int]) -> None:
        """Apply sampling options (temperature, topK, maxTokens, randomSeed)."""

    def cancel(self) -> None:
        """Ask the running generation to stop (engines may ignore it)."""

    async def close(self) -> None:
        """Release the model; may fail while busy."""


class KeyValueStore(Protocol):
    """Small durable settings (localStorage in the browser)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class StreamPainter(Protocol):
    """Shows streaming text in one message's node, at most once per animation frame."""

    def show(self, message_id: int, text: str) -> None: ...

    def repaint(self) -> None:
        """Paint every live stream again (after its node was re-rendered)."""

    def forget(self, message_id: int) -> None: ...


ProgressCallback = Callable[[int], None]


class ModelStore(Protocol):
    """Durable model bytes (OPFS in the browser), kept as fixed-size chunks. The bytes never
    reach Python: every method takes and returns plain values (see downloads.py's records)."""

    async def stored(self) -> list[Stored]:
        """Every model folder on this device, whole or partial."""

    async def prepare(self, model_id: str, chunk: int, total: int | None) -> int:
        """Drop irregular leftovers; return how many bytes are stored whole (where to resume)."""

    async def fetch(
        self, model_id: str, url: str, start: int, chunk: int, on_progress: ProgressCallback
    ) -> Transfer:
        """Append `url`'s bytes from `start` (HTTP Range); never raises."""

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


class CloudClient(Protocol):
    """HTTP to the cloud engine (fetch in the browser). Raises cloud.CloudError for HTTP errors
    (with Google's body), no network, or cancel()."""

    async def send(self, request: CloudRequest) -> str:
        """POST and return the whole response body."""

    async def stream(self, request: CloudRequest, on_text: Callable[[str], None]) -> None:
        """POST and pass the response body to `on_text` piece by piece as it arrives."""

    def cancel(self) -> None:
        """Abort every request in flight."""


class ChatStore(Protocol):
    """Durable conversations (IndexedDB in the browser): JSON-safe records by conversation id."""

    async def load(self) -> list[object]:
        """Every saved record (possibly damaged: the caller validates)."""

    async def save(self, conversation_id: str, record: dict) -> None: ...

    async def delete(self, conversation_id: str) -> None: ...


class LocalFiles(Protocol):
    """Files and the clipboard on this device: nothing here touches the network."""

    async def read_text(self, file: object, limit: int) -> tuple[str, str]:
        """(name, text) of a File the user picked, decoded as UTF-8; ValueError when it is over
        `limit` bytes (checked before reading) or not text."""

    def save_text(self, name: str, text: str, mime: str) -> None:
        """Offer `text` as a download called `name`."""

    async def copy_text(self, text: str) -> bool:
        """Put `text` on the clipboard; False when the browser refused."""
