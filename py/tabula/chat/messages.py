"""Message: one bubble of a conversation, and the statuses an answer can end in. Pure values.

Imports only media.attachments (a message's photos and audio clips, issue #25): every other
part (the State, conversations, the views) builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.media.attachments import Attachment

FINAL_STATUSES = frozenset({"done", "stopped", "cancelled", "failed"})


@dataclass(frozen=True)
class Message:
    """One bubble in the conversation. Answers carry their engine and speed."""

    id: int
    role: str  # "user" | "model"
    text: str = ""
    status: str = "done"  # waiting | streaming | done | stopped | cancelled | failed
    engine: str = ""
    ttft_ms: float | None = None
    tokens_per_s: float | None = None
    tokens: int = 0
    note: str = ""
    error: str = ""
    cut: bool = False  # it ran to the end of the token budget, unfinished: it can be continued
    attachments: tuple[Attachment, ...] = ()  # photos and audio clips sent with it (bytes in IndexedDB)
