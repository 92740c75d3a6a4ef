"""Asking about a document (issue #24): its sections cut into passages sized for the model, the
best ones for the question (chat/ranking.py's BM25) that fit sent with it, each marked with its
page or heading, and that message read back so the chat can show the question, the passages
used (collapsed, to check the answer) and "Used: page 4" under the answer. Pure.

May import: i18n, and chat's usecases (cutting text), documents and ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tabula.chat.documents import Document
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
    ranked = scored([p.text for p in found], question)
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
    question = question.strip()
    if not question:
        raise ValueError(tr("Write your question about the document."))
    room = size - min(len(question), size // 2)
    chosen = choose(passages(doc, room), question, room)
    body = "\n\n".join(f"{mark(p)}\n{p.text}" for p in chosen)
    source = doc.title.replace("\n", " ") if doc.title else "this document"
    return f"{OPENING}{source}{MIDDLE}{body}{CLOSING}{question}"


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
