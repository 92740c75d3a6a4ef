"""The cloud port: HTTP to the Gemini API (fetch in the browser), and CloudCall, the cancel handle
each request carries (one request's cancel never touches another: Stop in the chat leaves a quiz
or a key test alone).

browser/http.py implements the port; tests/fakes.py fakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tabula.cloud.wire import CloudRequest


class CloudCall:
    """One request's own cancel. The client binds how to abort it once the request is open; a
    cancel asked before that aborts it as soon as it is bound."""

    def __init__(self) -> None:
        self.cancelled = False
        self._abort: Callable[[], None] | None = None

    def bind(self, abort: Callable[[], None]) -> None:
        self._abort = abort
        if self.cancelled:
            abort()

    def cancel(self) -> None:
        self.cancelled = True
        if self._abort is not None:
            self._abort()


class CloudClient(Protocol):
    """HTTP to the cloud engine. Raises cloud.wire.CloudError for HTTP errors (with Google's
    body), no network, or the request's own `call.cancel()` (kind "cancelled")."""

    async def send(self, request: CloudRequest, call: CloudCall) -> str:
        """POST and return the whole response body."""

    async def stream(self, request: CloudRequest, on_text: Callable[[str], None], call: CloudCall) -> None:
        """POST and pass the response body to `on_text` piece by piece as it arrives."""
