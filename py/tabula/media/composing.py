"""What the composer holds before Send (issue #25): the attachments picked or recorded (stored
already, removable), a recording in progress, a file being prepared, and the chat's answer when
the model in use cannot take them (Refusal). Pure values: core/state.py composes them.
Imports only media.attachments.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.media.attachments import Attachment


@dataclass(frozen=True)
class Refusal:
    """Why the message was not sent, and what would take it: `model_id` (a model that can, "" when
    none is known) and `offer`: "switch" (it is on this device), "download" or ""."""

    text: str
    model_id: str = ""
    offer: str = ""
    label: str = ""  # the model that can, as the button names it


@dataclass(frozen=True)
class Composing:
    attachments: tuple[Attachment, ...] = ()
    recording: float | None = None  # seconds recorded so far, while a recording runs
    preparing: str = ""  # the name of a file being decoded and stored
    refusal: Refusal | None = None

    def without(self, attachment_id: str) -> Composing:
        kept = tuple(a for a in self.attachments if a.id != attachment_id)
        return Composing(kept, self.recording, self.preparing, None)

    def adding(self, attachment: Attachment) -> Composing:
        return Composing((*self.attachments, attachment), self.recording, "", None)
