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
    again, whether or not `cancel` cut it short. Its options (temperature, topK, maxTokens,
    randomSeed) are fixed when it is created: MediaPipe 0.10.29's setOptions() reloads the model
    and throws "No model asset provided." without one, so new options mean a new engine.
    """

    label: str
    family: str  # the chat template family it was trained with (engine/prompt.py's TEMPLATES)

    async def generate(self, prompt: str, on_token: TokenCallback) -> str:
        """Stream text deltas to `on_token`; return the whole text."""

    async def count_tokens(self, text: str) -> int:
        """How many tokens `text` is for this model."""

    def cancel(self) -> None:
        """Ask the running generation to stop (engines may ignore it)."""

    async def close(self) -> None:
        """Release the model; may fail while busy."""

    def destroy(self) -> None:
        """Free what the engine holds now, even while busy or stuck (its GPU device is
        destroyed); the engine cannot be used afterwards. Never raises."""
