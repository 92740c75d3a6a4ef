"""Conversation files: the export format and the careful import of a file. Pure.

Owns the format ("tabula.conversations", version 1; a bare schema-1 record is read too;
chat/export.py writes it) and the checks an imported file passes before anything changes. All or nothing: a file too big, not
Tabula's, from a newer Tabula, or with one damaged conversation is refused with an ImportProblem
whose text is for the person who picked the file, shown as it is. Imports never overwrite: a taken
id (or one Tabula would not make) gets a fresh one. Message text is data: HTML, scripts, Markdown
are kept exactly as written (the views escape what they show), never stripped or rewritten.
Photos and audio clips (issue #25) come embedded in their attachment records as base64
(`data`): read_import hands them back beside the conversations (`Imported.media`) for the caller
to store; an attachment without bytes is kept as a record (the chat says its file is missing).
Standard library plus chat.conversations, chat.messages and media.attachments.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from itertools import count

from tabula.chat.conversations import SCHEMA, Conversation, from_record
from tabula.chat.messages import FINAL_STATUSES
from tabula.i18n.translate import N_, tr

FORMAT = "tabula.conversations"
VERSION = 1
MAX_IMPORT_CHARS = 20_000_000
MAX_CONVERSATIONS = 2000
MAX_MESSAGES = 5000
MAX_TEXT = 200_000
LATEST_DATE = 253_402_300_799  # 9999-12-31 23:59:59 UTC, in seconds
SAFE_MESSAGE_ID = 2**53  # message ids become DOM ids and JS numbers

TOO_BIG = N_("This file is too big to import ({size} MB; the limit is {limit} MB).")
UNREADABLE = N_("This file cannot be imported: it is not a conversations file exported from Tabula.")
MARKDOWN = N_("This is a Markdown (.md) export, which is for reading only. To import, choose the .json file.")
TOO_DEEP = N_("This file cannot be imported: its contents are tangled too deeply to be a Tabula export.")
NOT_TABULA = N_("This file holds data, but not Tabula conversations.")
OTHER_PROGRAM = N_("This file was exported by another program, not by Tabula.")
NEWER = N_(
    "This file was made by a newer version of Tabula. Update Tabula on this device, then import it again."
)
UNKNOWN_VERSION = N_("This file says it is a Tabula export, but of a version Tabula does not know.")
NO_LIST = N_("This Tabula file is damaged: its list of conversations is missing.")
EMPTY = N_("This file holds no conversations, so there is nothing to import.")
TOO_MANY = N_("This file holds {count} conversations; Tabula imports at most {limit} at a time.")
TOO_LONG = N_(
    "Conversation {n} in this file has {count} messages; the limit is {limit}. Nothing was imported."
)
TEXT_TOO_LONG = N_(
    "Conversation {n} in this file has a message that is too long ({count} characters; the limit is {limit}). Nothing was imported."
)
DAMAGED = N_("Conversation {n} in this file is damaged ({detail}). Nothing was imported.")

_STATUSES = FINAL_STATUSES | {"waiting", "streaming"}
_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON joins escaped pairs: any left are alone
_SAFE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
MAX_ATTACHMENTS = 16  # on one message


class ImportProblem(ValueError):
    """Why a file cannot be imported, in one sentence for the person who picked it."""


@dataclass(frozen=True)
class Imported:
    """What an import adds: new conversations, plus counts for the notice that follows."""

    conversations: tuple[Conversation, ...]
    skipped: int = 0  # exact copies of one on the device or earlier in the file: not added again
    renamed: int = 0  # given a fresh id: theirs was taken, repeated, or not one Tabula would make
    media: tuple[Embedded, ...] = ()  # the bytes of the added conversations' attachments


@dataclass(frozen=True)
class Embedded:
    """An attachment's bytes as a file carries them (base64), to be stored under its id."""

    id: str
    kind: str
    mime: str
    data: str


class _Damaged(Exception):
    """A record fails a check; its text completes DAMAGED's sentence."""


def read_import(
    text: str, existing_ids: Collection[str], now: float, on_device: Collection[Conversation] = ()
) -> Imported:
    """The conversations a picked file adds, or ImportProblem (nothing changes) if any check fails.

    `existing_ids` are the ids on the device; pass `on_device` (the conversations themselves) to
    skip exact copies instead of adding them again under a fresh id.
    """
    records = _records(_parse(text))
    convs = [_conversation(record, n) for n, record in enumerate(records, 1)]
    placed = _place(convs, set(existing_ids), set(on_device), now)
    wanted = {a.id for conv in placed.conversations for m in conv.messages for a in m.attachments}
    media = {e.id: e for e in _embedded(records) if e.id in wanted}
    return replace(placed, media=tuple(media.values()))


def _embedded(records: list) -> list[Embedded]:
    """The attachments' bytes the (checked) records carry; a `data` that is not base64 is ignored."""
    found = []
    for record in records:
        for message in record["messages"]:
            for raw in message.get("attachments", []):
                data = raw.get("data")
                if isinstance(data, str) and _BASE64.fullmatch(data):
                    found.append(Embedded(raw["id"], raw["kind"], raw["mime"], data))
    return found


def _parse(text: str) -> object:
    if not isinstance(text, str):
        raise ImportProblem(tr(UNREADABLE))
    if len(text) > MAX_IMPORT_CHARS:
        size, limit = f"{len(text) / 1e6:.1f}", MAX_IMPORT_CHARS // 1_000_000
        raise ImportProblem(tr(TOO_BIG, size=size, limit=limit))
    try:  # NaN, Infinity and 1e999 parse, then fail the checks on numbers
        return json.loads(text.removeprefix("\ufeff"), object_hook=_sound)
    except RecursionError:
        raise ImportProblem(tr(TOO_DEEP)) from None
    except ValueError:
        raise ImportProblem(tr(MARKDOWN if text.lstrip().startswith("#") else UNREADABLE)) from None


def _records(data: object) -> list:
    """The conversation records in a parsed file: an export's list, or one bare record."""
    if isinstance(data, dict) and "format" not in data and "v" in data and "messages" in data:
        _check_version(data["v"])
        return [data]
    if not isinstance(data, dict) or "format" not in data:
        raise ImportProblem(tr(NOT_TABULA))
    if data["format"] != FORMAT:
        raise ImportProblem(tr(OTHER_PROGRAM))
    _check_version(data.get("version"))
    records = data.get("conversations")
    if not isinstance(records, list):
        raise ImportProblem(tr(NO_LIST))
    if not records:
        raise ImportProblem(tr(EMPTY))
    if len(records) > MAX_CONVERSATIONS:
        raise ImportProblem(tr(TOO_MANY, count=f"{len(records):,}", limit=f"{MAX_CONVERSATIONS:,}"))
    return records


def _check_version(version: object) -> None:
    if _is_int(version) and version > VERSION:
        raise ImportProblem(tr(NEWER))
    if not _is_int(version) or version != VERSION:
        raise ImportProblem(tr(UNKNOWN_VERSION))


def _conversation(record: object, n: int) -> Conversation:
    """Conversation number `n` of the file, checked field by field before from_record reads it."""
    try:
        _check_record(record, n)
        conv = from_record(record)
    except _Damaged as damage:
        raise ImportProblem(tr(DAMAGED, n=n, detail=damage)) from None
    except ImportProblem:
        raise
    except ValueError:
        raise ImportProblem(tr(DAMAGED, n=n, detail="it cannot be read")) from None
    return _numbered(conv)


def _check_record(record: object, n: int) -> None:
    if not isinstance(record, dict) or record.get("v") != SCHEMA or not _is_int(record["v"]):
        newer = isinstance(record, dict) and _is_int(record.get("v")) and record["v"] > SCHEMA
        raise ImportProblem(tr(NEWER)) if newer else _Damaged("it is not a conversation Tabula can read")
    for valid, problem in _RECORD_CHECKS:
        if not valid(record):
            raise _Damaged(problem)
    if len(record["messages"]) > MAX_MESSAGES:
        many, limit = f"{len(record['messages']):,}", f"{MAX_MESSAGES:,}"
        raise ImportProblem(tr(TOO_LONG, n=n, count=many, limit=limit))
    for m, message in enumerate(record["messages"], 1):
        _check_message(message, m, n)


def _check_message(raw: object, m: int, n: int) -> None:
    if not isinstance(raw, dict):
        raise _Damaged(f"message {m} is not a message")
    for key, (valid, label) in _MESSAGE_CHECKS.items():
        if key in _REQUIRED and key not in raw:
            raise _Damaged(f"message {m} has no {label}")
        if key in raw and not valid(raw[key]):
            raise _Damaged(f"message {m} has an unreadable {label}")
    longest = max(len(raw.get(key, "")) for key in ("text", "engine", "note", "error"))
    if longest > MAX_TEXT:
        raise ImportProblem(tr(TEXT_TOO_LONG, n=n, count=f"{longest:,}", limit=f"{MAX_TEXT:,}"))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    """A JSON number that is finite and within reason (not a bool, NaN, infinity or 10**400)."""
    if _is_int(value):
        return abs(value) <= 10**15
    return isinstance(value, float) and math.isfinite(value) and abs(value) <= 1e15


def _is_date(value: object) -> bool:
    return _is_number(value) and 0 <= value <= LATEST_DATE


_RECORD_CHECKS = (  # (valid, what the damage notice says when it is not)
    (lambda r: isinstance(r.get("id"), str), "its id is unreadable"),
    (lambda r: isinstance(r.get("title"), str), "its title is unreadable"),
    (lambda r: isinstance(r.get("named", False), bool), "its title setting is unreadable"),
    (lambda r: _is_date(r.get("created")) and _is_date(r.get("updated")), "its dates are unreadable"),
    (lambda r: isinstance(r.get("messages"), list), "its messages are unreadable"),
)
_REQUIRED = ("role", "id", "text")
_MESSAGE_CHECKS = {  # field: (valid, what the damage notice calls it)
    "role": (lambda v: v in ("user", "model"), "sender"), "id": (_is_int, "number"),
    "text": (lambda v: isinstance(v, str), "text"), "engine": (lambda v: isinstance(v, str), "engine name"),
    "note": (lambda v: isinstance(v, str), "note"), "error": (lambda v: isinstance(v, str), "error message"),
    "status": (lambda v: isinstance(v, str) and v in _STATUSES, "status"),
    "ttft_ms": (lambda v: v is None or (_is_number(v) and v >= 0), "timing"),
    "tokens_per_s": (lambda v: v is None or (_is_number(v) and v >= 0), "speed"),
    "tokens": (lambda v: _is_int(v) and 0 <= v <= 10**12, "token count"),
    "cut": (lambda v: isinstance(v, bool), "length-limit mark"),
    "attachments": (lambda v: isinstance(v, list) and len(v) <= MAX_ATTACHMENTS, "attachments"),
}  # fmt: skip


def _sound(obj: dict) -> dict:
    """`obj` with any lone surrogate in its strings (from a JSON escape such as \\ud800) made U+FFFD."""
    return {k: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in obj.items()}


def _numbered(conv: Conversation) -> Conversation:
    """Message ids renumbered 1..n when they repeat or would not make safe DOM ids and JS numbers."""
    ids = [m.id for m in conv.messages]
    if len(set(ids)) == len(ids) and all(0 <= i < SAFE_MESSAGE_ID for i in ids):
        return conv
    return replace(conv, messages=tuple(replace(m, id=i) for i, m in enumerate(conv.messages, 1)))


def _place(
    convs: list[Conversation], existing: set[str], on_device: set[Conversation], now: float
) -> Imported:
    """The conversations to add: exact copies skipped, taken or odd ids replaced with fresh ones."""
    taken = existing | {c.id for c in convs}
    used, seen, added, skipped, renamed = set(existing), set(on_device), [], 0, 0
    for index, conv in enumerate(convs):
        if conv in seen:
            skipped += 1
            continue
        seen.add(conv)
        if conv.id in used or not _SAFE_ID.fullmatch(conv.id):
            conv = replace(conv, id=_fresh(now, index, taken))
            renamed += 1
        used.add(conv.id)
        taken.add(conv.id)
        added.append(conv)
    return Imported(tuple(added), skipped, renamed)


def _fresh(now: float, index: int, taken: set[str]) -> str:
    base = f"i{int(now * 1000):x}-{index}"
    return next(c for k in count() if (c := f"{base}-{k}" if k else base) not in taken)
