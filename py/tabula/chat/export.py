"""Conversation files out: JSON (to import again, in chat/archive.py's format), Markdown (to read
or print) and safe file names. The JSON embeds each attachment's bytes (base64, issue #25) when
the caller has read them; the Markdown names them. Pure; standard library plus chat.conversations.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from tabula.chat.archive import FORMAT, VERSION
from tabula.chat.conversations import Conversation, to_record
from tabula.chat.messages import Message

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#!|~&])")
_NOTES = {"failed": "This answer failed.", "cancelled": "Cancelled before the answer was finished."}
_STOPPED = "Stopped before the answer was finished."


def export_json(convs: Sequence[Conversation], now: float, media: Mapping[str, str] | None = None) -> str:
    """A versioned file holding `convs` (one or all) that read_import reads back unchanged, each
    attachment with its bytes where `media` (id -> base64) has them."""
    data = {
        "format": FORMAT, "version": VERSION, "exported": _utc(now, "%Y-%m-%dT%H:%M:%SZ"),
        "conversations": [_embedding(to_record(c), media or {}) for c in convs],
    }  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _embedding(record: dict, media: Mapping[str, str]) -> dict:
    for message in record["messages"]:
        for attachment in message.get("attachments", []):
            if attachment["id"] in media:
                attachment["data"] = media[attachment["id"]]
    return record


def export_markdown(convs: Sequence[Conversation], now: float) -> str:
    """`convs` as Markdown for reading (not for importing back): a heading per conversation."""
    exported = _utc(now, "%Y-%m-%d %H:%M UTC")
    return "\n\n---\n\n".join(_conversation_md(c, exported) for c in convs) + "\n"


def _conversation_md(conv: Conversation, exported: str) -> str:
    title = _inline(conv.title) or "Untitled chat"
    started = _utc(conv.created, "%Y-%m-%d %H:%M UTC")
    parts = [f"# {title}", f"*Tabula conversation, started {started}; exported {exported}.*"]
    parts += [_message_md(m) for m in conv.messages]
    return "\n\n".join(parts)


def _message_md(message: Message) -> str:
    speaker = "You" if message.role == "user" else (_inline(message.engine) or "Gemma")
    parts = [f"**{speaker}:**"]
    if message.text.strip():
        parts.append(message.text.strip("\n").rstrip())
    for attachment in message.attachments:
        what = "Photo" if attachment.kind == "image" else "Audio"
        parts.append(f"*({what}: {_inline(attachment.label)})*")
    if message.role == "model" and message.status != "done":
        note = message.error or message.note or _NOTES.get(message.status, _STOPPED)
        parts.append(f"*({_inline(note)})*")
    return "\n\n".join(parts)


def _inline(text: str) -> str:
    """`text` on one line with Markdown's special characters escaped, so it cannot add structure."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def filename(convs: Sequence[Conversation], now: float, ext: str) -> str:
    """A safe name such as tabula-volcano-lesson-2026-11-30.json (or tabula-conversations-… for several)."""
    name = _slug(convs[0].title) if len(convs) == 1 else "conversations"
    suffix = re.sub(r"[^a-z0-9]", "", ext.lower()) or "txt"
    return f"tabula-{name}-{_utc(now, '%Y-%m-%d')}.{suffix}"


def _slug(title: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug[:40].rstrip("-") or "chat"


def _utc(seconds: float, pattern: str) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime(pattern)
    except (OverflowError, ValueError, OSError):
        return "an unknown date"
