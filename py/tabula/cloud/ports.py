"""The cloud port: HTTP to the Gemini API (fetch in the browser).

browser/http.py implements it; tests/fakes.py fakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tabula.cloud.wire import CloudRequest

from typing import Protocol


class CloudClient(Protocol):
    """HTTP to the cloud engine (fetch in the browser). Raises cloud.CloudError for HTTP errors
    (with Google's body), no network, or cancel()."""

    async def send(self, request: CloudRequest) -> str:
        """POST and return the whole response body."""

    async def stream(self, request: CloudRequest, on_text: Callable[[str], None]) -> None:
        """POST and pass the response body to `on_text` piece by piece as it arrives."""

    def cancel(self) -> None:
        """Abort every request in flight."""
