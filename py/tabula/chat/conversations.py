"""Conversations: records for durable storage (a versioned JSON schema), titles and search. Pure.
A record also holds the documents opened in the conversation (their text and page map, never the
file: chat/documents.py to_dict); a record without them (older) has none. Each message keeps its
attachments' records (media/attachments.py), never their bytes (IndexedDB "tabula-media").

An answer saved while it was being written (the browser was closed or killed mid-answer) comes
back as stopped, with its partial text and a note saying so: nothing is lost, nothing spins.

Two windows may write one conversation at once: message ids are unique across windows
(`next_message_id`: time-ordered with a random step) and copies are merged by message id
(`merged`), so neither window's messages overwrite the other's; a message one window took out
(Regenerate replaces the last answer) is remembered by id (`removed`), so the other window's copy
does not put it back.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields, replace

from tabula.chat import documents
from tabula.chat.documents import Document
from tabula.chat.messages import FINAL_STATUSES, Message
from tabula.i18n.translate import N_, tr
from tabula.media import attachments
from tabula.media.composing import Composing

SCHEMA = 1
REMEMBERED = 200  # message ids taken out that a conversation remembers
TITLE_LENGTH = 60
MODES = ("tutor",)
INTERRUPTED = N_("Interrupted: Tabula closed while this answer was being written.")
_MESSAGE_FIELDS = {f.name: f.type for f in fields(Message)}


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created: float
    updated: float
    messages: tuple[Message, ...] = ()
    named: bool = False  # the user renamed it: the title no longer follows the first message
    mode: str = ""  # "tutor" for a step-by-step tutoring chat (its own system prompt), else ""
    documents: tuple[Document, ...] = ()  # opened in it (issue #24): text and page map, no file
    removed: tuple[int, ...] = ()  # ids of messages taken out (Regenerate's): no copy brings them back


@dataclass(frozen=True)
class Shelf:
    """The conversations on this device as the chat page lists them."""

    conversations: tuple[Conversation, ...] = ()
    current: str = ""
    query: str = ""
    renaming: str = ""  # the id whose title is being edited
    deleted: Conversation | None = None  # the last one deleted, until Undo or the next change
    damaged: int = 0  # saved records that could not be read
    browsing: bool = False  # the list stays open while the user works in it
    notice: tuple[str, str] = ("", "")  # (ok | error | busy | offer, text) after an export, import or copy
    offer: str = ""  # an "offer" notice's button: read a document's scanned pages (ui/handlers/scans.py)
    unsaved: tuple[tuple[str, str], ...] = ()  # (id, "full" | why) of each refused save
    composing: Composing = field(
        default_factory=Composing
    )  # the composer's photos and audio before Send (issue #25)

    def get(self, conversation_id: str) -> Conversation | None:
        return next((c for c in self.conversations if c.id == conversation_id), None)

    def put(self, conv: Conversation) -> Shelf:
        """The shelf with `conv` added or replaced, most recently updated first."""
        others = [c for c in self.conversations if c.id != conv.id]
        return replace(self, conversations=tuple(sorted([conv, *others], key=lambda c: -c.updated)))

    def without(self, conversation_id: str) -> Shelf:
        return replace(self, conversations=tuple(c for c in self.conversations if c.id != conversation_id))


def title_for(messages: tuple[Message, ...]) -> str:
    """The first user message, shortened (a photo or a clip sent alone: its file's name); "New chat"
    before there is one."""
    said = (
        (m.text.strip() or (m.attachments[0].name if m.attachments else ""))
        for m in messages
        if m.role == "user"
    )
    first = next((text for text in said if text), "")
    line = " ".join(first.split())
    return (line[: TITLE_LENGTH - 1] + "…" if len(line) > TITLE_LENGTH else line) or tr("New chat")


def with_messages(conv: Conversation, messages: tuple[Message, ...], now: float) -> Conversation:
    title = conv.title if conv.named else title_for(messages)
    return replace(conv, messages=messages, updated=now, title=title)


def next_message_id(after: int, now: float) -> int:
    """A message id above `after` that another window adding to the same conversation at the same
    moment will not pick: the millisecond (shifted 11 bits) or `after`, plus a random step of up
    to 2^11. Two windows that write before hearing each other keep the order they wrote in unless
    they wrote in the same millisecond (whole seconds put them in random order). Ids stay exact in
    JavaScript until the year 2109, and above those of the older scheme (the second shifted 20
    bits) written at the same time."""
    return max(after, int(now * 1000) << 11) + 1 + secrets.randbelow(1 << 11)


def _rank(message: Message) -> tuple[bool, bool, int, str]:
    """Of two copies of one message, the later: not marked interrupted by a reader, ended, longer
    (then any fixed order, so every window keeps the same copy)."""
    ended = message.status in FINAL_STATUSES
    return (message.note != tr(INTERRUPTED), ended, len(message.text), repr(message))


def merged(
    ours: tuple[Message, ...], theirs: tuple[Message, ...], removed: tuple[int, ...] = (),
    edited: frozenset[int] = frozenset(),
) -> tuple[Message, ...]:
    """Both copies' messages by id (each message once, its later copy), in the order they were
    written (ids grow with time), but those `removed`. Theirs `edited` (just changed by this
    window, e.g. an ended answer that Continue streams again) win whatever their rank."""
    by_id = {m.id: m for m in ours}
    for message in theirs:
        mine = by_id.get(message.id)
        if mine is None or message.id in edited or _rank(message) > _rank(mine):
            by_id[message.id] = message
    gone = set(removed)
    return tuple(by_id[i] for i in sorted(by_id) if i not in gone)


def removing(conv: Conversation, ids: set[int]) -> Conversation:
    """`conv` remembering that the messages `ids` were taken out (the latest REMEMBERED kept: ids
    grow with time, so an old one no copy still holds can be forgotten)."""
    if not ids:
        return conv
    return replace(conv, removed=tuple(sorted(set(conv.removed) | ids))[-REMEMBERED:])


def combined(mine: Conversation | None, theirs: Conversation) -> Conversation:
    """Another window's copy of a conversation with this window's: every message of both, but
    those either took out."""
    if mine is None:
        return theirs
    removed = tuple(sorted(set(mine.removed) | set(theirs.removed)))[-REMEMBERED:]
    return replace(theirs, messages=merged(mine.messages, theirs.messages, removed), removed=removed)


def to_record(conv: Conversation) -> dict:
    """A JSON-safe record of the conversation."""
    return {
        "v": SCHEMA, "id": conv.id, "title": conv.title, "named": conv.named, "created": conv.created,
        "updated": conv.updated, "messages": [_message_record(m) for m in conv.messages], "mode": conv.mode,
        "documents": [documents.to_dict(d) for d in conv.documents], "removed": list(conv.removed),
    }  # fmt: skip


def from_record(record: object) -> Conversation:
    """The conversation a record holds; ValueError for anything that is not one."""
    if not isinstance(record, dict) or record.get("v") != SCHEMA:
        raise ValueError("not a Tabula conversation (schema 1)")
    try:
        messages = tuple(_message(m) for m in record["messages"])
        return Conversation(
            str(record["id"]), str(record["title"])[:200], float(record["created"]),
            float(record["updated"]), messages, bool(record.get("named", False)), _mode(record.get("mode")),
            tuple(documents.from_dict(d) for d in record.get("documents", [])),
            tuple(int(i) for i in record.get("removed", [])),
        )  # fmt: skip
    except (KeyError, TypeError, OverflowError) as error:
        raise ValueError(f"a conversation record is damaged ({error})") from None


def _message_record(message: Message) -> dict:
    return {**asdict(message), "attachments": [attachments.to_dict(a) for a in message.attachments]}


def _mode(raw: object) -> str:
    return raw if raw in MODES else ""


def _message(raw: object) -> Message:
    if (
        not isinstance(raw, dict)
        or raw.get("role") not in ("user", "model")
        or not isinstance(raw.get("text"), str)
    ):
        raise ValueError("a message is damaged")
    values = {k: v for k, v in raw.items() if k in _MESSAGE_FIELDS}
    if not isinstance(values.get("attachments", []), list | tuple):
        raise ValueError("a message's attachments are damaged")
    values["attachments"] = tuple(attachments.from_dict(a) for a in values.get("attachments", []))
    message = Message(**values)
    if message.status not in FINAL_STATUSES:
        return replace(message, status="stopped", note=tr(INTERRUPTED))
    return message


def search(convs: tuple[Conversation, ...], query: str) -> tuple[Conversation, ...]:
    """Conversations whose title or any message contains every word of `query` (any case)."""
    words = query.lower().split()
    if not words:
        return convs

    def matches(conv: Conversation) -> bool:
        text = " ".join([conv.title, *(m.text for m in conv.messages)]).lower()
        return all(word in text for word in words)

    return tuple(c for c in convs if matches(c))
