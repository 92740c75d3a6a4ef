"""The engine port: a loaded on-device model, called only by the InferenceQueue.

browser/mediapipe.py implements it; tests/fakes.py fakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

TokenCallback = Callable[[str], None]


class Engine(Protocol):
    """A loaded on-device model. Exclusive: one call at a time (InferenceQueue ensures it).

    Adapters raise errors.EngineError. `generate` resolves only when the engine is idle
    again, whether or not `cancel` cut it short.
    """

    label: str
    family: str  # the chat template family it was trained with (engine/prompt.py's TEMPLATES)

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
