"""Asking about a document (issue #24): its sections cut into passages sized for the model, the
best ones for the question (chat/ranking.py's BM25) that fit sent with it, each marked with its
page or heading, and that message read back so the chat can show the question, the passages
used (collapsed, to check the answer) and "Used: page 4" under the answer. Pure.

A later plain question in a conversation that keeps documents is asked the same way over all of
them (`follow_up`); it goes as typed when no passage shares a word with it. In the history only
the newest question about a document keeps its passages (`compacted`): the older ones were
answered, and their passages would crowd the new ones out of a small model's context.

May import: i18n, and chat's usecases (cutting text), documents, ranking and messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tabula.chat.documents import Document
from tabula.chat.messages import Message
from tabula.chat.ranking import scored
from tabula.chat.usecases import MIN_PART, split
from tabula.i18n.translate import tr

RELEVANT = 0.3  # a passage scoring under this share of the best one's is left out
MIN_PASSAGE = 300  # characters: passages are not cut shorter than this to send several
PIECES = 3  # a passage is about a third of what fits, so the best few go together
# Short on purpose: on a small model every word of it is a word less of the document.
OPENING = "Answer using only these passages from "
MIDDLE = ":\n\n"
CLOSING = "\n\nQuestion: "
_MARK = re.compile(r"^\[(page|section|part) ?(.*)\]$", re.MULTILINE)


@dataclass(frozen=True)
class Passage:
    ref: str  # "page" | "section" | "part"
    label: str  # "4", a heading, or "3 of 12"
    text: str
    order: int  # its place in the document


def passages(doc: Document, size: int) -> list[Passage]:
    """Every section cut into passages of at most about size / PIECES characters (or size, when
    a third would be too short to say anything: a small model's context)."""
    piece = size // PIECES if size >= PIECES * MIN_PASSAGE else max(MIN_PART, size)
    found: list[Passage] = []
    for section in doc.sections:
        found += [Passage(section.ref, section.label, p.text, 0) for p in split(section.text, piece)]
    if doc.kind == "text":
        found = [Passage("part", f"{i + 1} of {len(found)}", p.text, 0) for i, p in enumerate(found)]
    return [Passage(p.ref, p.label, p.text, i) for i, p in enumerate(found)]


def choose(found: list[Passage], question: str, size: int) -> list[Passage]:
    """The best-ranked passages whose text fits in `size` characters, in document order: always
    the best one, then others that score at least RELEVANT of its score."""
    return _chosen(found, scored([p.text for p in found], question), size)


def _chosen(found: list[Passage], ranked: list[tuple[int, float]], size: int) -> list[Passage]:
    best = ranked[0][1] if ranked else 0.0
    chosen, used = [], 0
    for i, score in ranked:
        if chosen and (used + len(found[i].text) > size or score < best * RELEVANT or score <= 0):
            continue
        chosen.append(found[i])
        used += len(found[i].text)
    return sorted(chosen, key=lambda p: p.order)


def mark(passage: Passage) -> str:
    """ "[page 4]", "[section School trips]", "[part 3 of 12]"."""
    return f"[{passage.ref} {passage.label}]".replace(" ]", "]")


def ask(doc: Document, question: str, size: int) -> str:
    """The message asking `question` of the passages of `doc` that answer it best and fit."""
    return ask_all((doc,), question, size)


def ask_all(docs: Sequence[Document], question: str, size: int, as_typed: bool = False) -> str:
    """The message asking `question` of the passages of `docs` (ranked together) that answer it
    best and fit in about `size` characters; with `as_typed`, the question alone when no passage
    shares a word that counts with it."""
    question = question.strip()
    if not question:
        raise ValueError(tr("Write your question about the document."))
    room = size - min(len(question), size // 2)
    found = _pooled(docs, room)
    ranked = scored([p.text for p in found], question)
    if as_typed and (not ranked or ranked[0][1] <= 0):
        return question
    body = "\n\n".join(f"{mark(p)}\n{p.text}" for p in _chosen(found, ranked, room))
    titles = [d.title.replace("\n", " ") for d in docs if d.title]
    return f"{OPENING}{', '.join(titles) or 'this document'}{MIDDLE}{body}{CLOSING}{question}"


def _pooled(docs: Sequence[Document], size: int) -> list[Passage]:
    """Every document's passages, numbered in one order (the documents one after another)."""
    found = [p for doc in docs for p in passages(doc, size)]
    return [replace(p, order=i) for i, p in enumerate(found)]


def follow_up(docs: Sequence[Document], question: str, size: int) -> str:
    """A later question in a conversation that keeps `docs`: asked with their best passages, or
    as typed when none shares a word with it ("Thanks!", "Shorter, please")."""
    return ask_all(docs, question, size, as_typed=True)


def compacted(messages: Sequence[Message]) -> list[Message]:
    """`messages` with every question about a document but the newest cut to the question
    itself (its passages were answered already)."""
    asked = [m.id for m in messages if m.role == "user" and read_back(m.text) is not None]
    newest = asked[-1] if asked else None
    return [_question_only(m) if m.id in asked and m.id != newest else m for m in messages]


def _question_only(message: Message) -> Message:
    asked = read_back(message.text)
    return replace(message, text=asked.question) if asked is not None else message


@dataclass(frozen=True)
class Asked:
    """A document question read back from its message."""

    source: str
    question: str
    used: tuple[tuple[str, str, str], ...]  # (ref, label, text) of each passage sent


def read_back(message: str) -> Asked | None:
    """The parts of a message that ask() wrote; None for any other message."""
    if not message.startswith(OPENING):
        return None
    source, found, rest = message[len(OPENING) :].partition(MIDDLE)
    body, closed, question = rest.rpartition(CLOSING)
    if not (found and closed):
        return None
    marks = list(_MARK.finditer(body))
    used = tuple(
        (
            m.group(1),
            m.group(2),
            body[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(body)].strip(),
        )
        for i, m in enumerate(marks)
    )
    return Asked(source, question, used) if used else None


def where(asked: Asked) -> str:
    """The pages or sections used, as the person reads them: "page 4, page 7" or
    "“Homework”, “School trips”" (each once, in order)."""
    seen: list[str] = []
    for ref, label, _text in asked.used:
        shown = _shown(ref, label)
        if shown not in seen:
            seen.append(shown)
    return ", ".join(seen)


def _shown(ref: str, label: str) -> str:
    if ref == "page":
        return tr("page {n}", n=label)
    if ref == "section":
        return f"“{label}”" if label else tr("the beginning")
    number, _, total = label.partition(" of ")
    return tr("part {n} of {total}", n=number, total=total)


@dataclass(frozen=True)
class Place:
    """Where a passage sent with a question is in the conversation's documents (the document
    view shows that page or section with the question's passages in it highlighted)."""

    document: int  # its index in the conversation's documents
    section: int  # the page's or section's index in that document
    spans: tuple[tuple[int, int], ...]  # (start, end) of each of the question's passages in it


def place(docs: Sequence[Document], asked: Asked, index: int) -> Place | None:
    """Where passage `index` of `asked` is in `docs`; None when no kept document holds it (it
    was removed, or the text was pasted)."""
    if not 0 <= index < len(asked.used):
        return None
    ref, label, text = asked.used[index]
    for d, doc in enumerate(docs):
        for s, section in enumerate(doc.sections):
            if (ref == "part" or (section.ref, section.label) == (ref, label)) and text in section.text:
                return Place(d, s, _spans(section.text, [t for _r, _l, t in asked.used]))
    return None


def _spans(text: str, passages: list[str]) -> tuple[tuple[int, int], ...]:
    """The places of `passages` in `text`, in order, overlapping ones joined."""
    found = sorted((at, at + len(p)) for p in passages if p and (at := text.find(p)) >= 0)
    joined: list[tuple[int, int]] = []
    for start, end in found:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return tuple(joined)
