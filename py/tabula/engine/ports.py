"""The engine port: a loaded on-device model, called only by the InferenceQueue.

browser/mediapipe.py implements it; tests/fakes.py fakes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Taken:
    """What a running generation produced since it was last asked (Engine.take)."""

    text: str = ""  # the new text ('' when none)
    quiet_s: float = 0.0  # seconds since the engine last showed activity (started, or a delta)
    first_s: float | None = None  # seconds since its first delta (None before it)
    reading: bool = False  # the engine says it is still reading the prompt (no token yet)


class Engine(Protocol):
    """A loaded on-device model. Exclusive: one call at a time (InferenceQueue ensures it).

    Adapters raise errors.EngineError. `generate` resolves only when the engine is idle
    again, whether or not `cancel` cut it short. Its text is pulled, not pushed: the engine
    buffers its deltas (and when it last showed activity) and `take` drains them, so the app
    takes new text once per paint, never once per token. Its options (temperature, topK, maxTokens,
    randomSeed) are fixed when it is created: MediaPipe 0.10.29's setOptions() reloads the model
    and throws "No model asset provided." without one, so new options mean a new engine.
    """

    label: str
    family: str  # the chat template family it was trained with (engine/prompt.py's TEMPLATES)
    generated: int | None  # tokens the last generate produced, by the engine's own count (None: unsaid)

    async def generate(self, prompt: str, media: tuple = (), exact: bool = False) -> str:
        """Generate (buffering the text for `take`); return the whole text. `media`: the asked
        message's photos and audio clips (media.attachments.Attachment; their bytes are in
        IndexedDB "tabula-media" by id), given only to an engine whose model can take them.
        `exact`: a transcription, decoded greedily (the likeliest token each time) by an engine
        that samples per request; MediaPipe's sampling is fixed when its model loads."""

    def take(self) -> Taken:
        """The text generated since the last take, and the running generation's activity
        (between generations: no text, and how long since the last one ended)."""

    async def count_tokens(self, text: str) -> int:
        """How many tokens `text` is for this model."""

    def cancel(self) -> None:
        """Ask the running generation to stop (engines may ignore it)."""

    async def close(self) -> None:
        """Release the model; may fail while busy."""

    def destroy(self) -> None:
        """Free what the engine holds now, even while busy or stuck (its GPU device is
        destroyed); the engine cannot be used afterwards. Never raises."""
