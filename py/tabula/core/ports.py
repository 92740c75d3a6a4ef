"""The ports every part may use: small durable key-value settings (localStorage in the browser).

Each domain keeps its own ports beside its code (engine/ports.py, models/ports.py, cloud/ports.py,
chat/ports.py, ui/ports.py); browser/ implements them and tests/fakes.py fakes them.
"""

from __future__ import annotations

from typing import Protocol


class KeyValueStore(Protocol):
    """Small durable settings (localStorage in the browser)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...
