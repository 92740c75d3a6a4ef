"""Attachment: a photo or an audio clip sent with a message (issue #25), and its JSON record. Pure.

The value names the bytes, it does not hold them: they live in IndexedDB (database
"tabula-media", store "attachments", the attachment's id as key, value {blob, kind, mime}),
images as a downscaled JPEG or PNG, audio as a 16 kHz mono PCM16 WAV. A record read back from a
file is checked field by field: anything odd is a ValueError, never a half-read attachment.
Imports nothing from Tabula: chat/messages.py builds on it.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass

KINDS = ("image", "audio")
MAX_NAME = 200
MAX_BYTES = 100_000_000  # far above any limit: a record saying more is damaged
_SAFE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
# What media.js stores (and so what a file may bring back): never SVG or anything that could hold script.
STORED_TYPES = {"image": ("image/jpeg", "image/png", "image/webp"), "audio": ("audio/wav",)}


@dataclass(frozen=True)
class Attachment:
    """A photo ("image") or a voice note or sound file ("audio") kept with a message."""

    id: str
    kind: str  # "image" | "audio"
    mime: str  # of the stored bytes: image/jpeg, image/png or audio/wav
    name: str  # the file's name as picked (a recording: voice-note-….wav)
    size: int  # bytes stored
    width: int | None = None  # an image's pixels, after downscaling
    height: int | None = None
    seconds: float | None = None  # an audio clip's length, as stored (at most 30 s)

    @property
    def label(self) -> str:
        """How a list or a Markdown file names it: 'label.jpg (1024×768)', 'note.wav (12.5 s)'."""
        if self.kind == "image" and self.width and self.height:
            return f"{self.name} ({self.width}×{self.height})"
        if self.kind == "audio" and self.seconds is not None:
            return f"{self.name} ({self.seconds:.1f} s)"
        return self.name


def new_id(now: float) -> str:
    """A key no other attachment (in any window, or any imported file) will have."""
    return f"m{int(now * 1000):x}-{secrets.token_hex(6)}"


def born(attachment_id: str) -> float | None:
    """When an attachment with this id was made (seconds), from the id new_id() gave it."""
    head = attachment_id.split("-", 1)[0]
    try:
        return int(head[1:], 16) / 1000 if head.startswith("m") else None
    except ValueError:
        return None


def orphans(stored: Iterable[str], referenced: Collection[str], now: float, grace_s: float) -> list[str]:
    """The stored ids no message refers to and made over `grace_s` ago (a newer one may be in a
    composer, this window's or another's); ids that say no time are kept."""
    return [
        i for i in stored if i not in referenced and (made := born(i)) is not None and now - made > grace_s
    ]


def to_dict(attachment: Attachment) -> dict:
    return asdict(attachment)


def from_dict(raw: object) -> Attachment:
    """The attachment a record holds; ValueError naming the first field that is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("an attachment is not a record")
    checks = {
        "id": lambda v: isinstance(v, str) and _SAFE_ID.fullmatch(v),
        "kind": lambda v: v in KINDS,
        "mime": lambda v: v in STORED_TYPES.get(raw.get("kind"), ()),
        "name": lambda v: isinstance(v, str) and 0 < len(v) <= MAX_NAME,
        "size": lambda v: _whole(v) and 0 <= v <= MAX_BYTES,
        "width": lambda v: v is None or (_whole(v) and 0 < v <= 100_000),
        "height": lambda v: v is None or (_whole(v) and 0 < v <= 100_000),
        "seconds": lambda v: v is None or (_number(v) and 0 <= v <= 3600),
    }
    for key, valid in checks.items():
        if key in ("id", "kind", "mime", "name", "size") and key not in raw:
            raise ValueError(f"an attachment has no {key}")
        if not valid(raw.get(key)):
            raise ValueError(f"an attachment's {key} is unreadable")
    values = {key: raw.get(key) for key in checks}
    seconds = values.pop("seconds")
    return Attachment(**values, seconds=None if seconds is None else float(seconds))


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return _whole(value) or (isinstance(value, float) and math.isfinite(value))
