"""Summaries of long documents (issue #24), the plan: a document longer than one message is cut
into parts that fit (consecutive pages or sections packed up to the size measured with the
running model's tokenizer), each part is summarized, then the summaries are combined a few at a
time until one is left (map–reduce). This module says what the parts are, what each message asks,
how the summaries are grouped, what the answer shows while it runs ("Part 4 of 12…") and when it
ends ("Pages 1–60"). Pure; chat/summarizing.py runs the plan on the engine.

May import: i18n, and chat's documents and usecases (cutting text).
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.chat.documents import Document, page_ranges
from tabula.chat.usecases import MIN_PART, split
from tabula.i18n.translate import tr

SEPARATOR = "\n\n"
MAP_ASK = "Summarize this part of {source} ({where}) in a few short bullet points:\n\n"
REDUCE_ASK = "Combine these summaries of parts of {source} into one summary in a few short bullet points:\n\n"


@dataclass(frozen=True)
class Chunk:
    """Consecutive text of a document that one message summarizes, and where it is."""

    text: str
    pages: tuple[int, ...] = ()  # a PDF's page numbers
    sections: tuple[str, ...] = ()  # a docx's headings
    start: int = 0  # a text's character offsets (1-based start)
    end: int = 0


@dataclass(frozen=True)
class Summary:
    """What the model wrote for some chunks, and the chunks it covers."""

    text: str
    covers: tuple[Chunk, ...]


def chunks(doc: Document, size: int) -> list[Chunk]:
    """The document cut into chunks of at most `size` characters, in order: pages (or sections)
    packed together while they fit, a page longer than `size` cut into pieces of its own."""
    size = max(MIN_PART, size)
    found: list[Chunk] = []
    offset = 0
    for section in doc.sections:
        for piece in split(section.text, size):
            found.append(_piece(doc, section.label, piece.text, offset + piece.start, offset + piece.end))
        offset += len(section.text) + len(SEPARATOR)
    return _packed(found, size)


def _piece(doc: Document, label: str, text: str, start: int, end: int) -> Chunk:
    if doc.kind == "pdf":
        return Chunk(text, pages=(int(label),))
    if doc.kind == "docx":
        return Chunk(text, sections=(label,))
    return Chunk(text, start=start + 1, end=end)


def _packed(found: list[Chunk], size: int) -> list[Chunk]:
    packed: list[Chunk] = []
    for chunk in found:
        last = packed[-1] if packed else None
        if last is not None and len(last.text) + len(SEPARATOR) + len(chunk.text) <= size:
            packed[-1] = _joined(last, chunk)
        else:
            packed.append(chunk)
    return packed


def _joined(a: Chunk, b: Chunk) -> Chunk:
    return Chunk(
        a.text + SEPARATOR + b.text,
        _unique(a.pages + b.pages),
        _unique(a.sections + b.sections),
        a.start or b.start,
        max(a.end, b.end),
    )


def _unique(items: tuple) -> tuple:
    return tuple(dict.fromkeys(items))


def where(covers: tuple[Chunk, ...] | list[Chunk]) -> str:
    """ "pages 1–5, 9" / "“Homework” to “Uniform”" / "characters 1–4000": what `covers` spans."""
    pages = _unique(tuple(p for c in covers for p in c.pages))
    if pages:
        return tr("pages {pages}", pages=page_ranges(pages)) if len(pages) > 1 else tr("page {n}", n=pages[0])
    sections = _unique(tuple(s for c in covers for s in c.sections))
    if sections:
        first, last = sections[0] or tr("the beginning"), sections[-1] or tr("the beginning")
        return f"“{first}”" if len(sections) == 1 else f"“{first}”–“{last}”"
    start, end = min(c.start for c in covers), max(c.end for c in covers)
    return tr("characters {start}–{end}", start=start, end=end)


def source_of(doc: Document) -> str:
    return doc.title.replace("\n", " ") if doc.title else "this note"


def map_message(doc: Document, chunk: Chunk) -> str:
    """The message asking for one chunk's summary."""
    return MAP_ASK.format(source=source_of(doc), where=where([chunk])) + chunk.text


def reduce_message(doc: Document, group: list[Summary], size: int) -> str:
    """The message asking to combine `group` into one summary; each summary is cut to its share
    of `size` characters so the message always fits."""
    share = max(MIN_PART, size // max(1, len(group)) - 40)
    body = SEPARATOR.join(f"({where(s.covers)})\n{s.text.strip()[:share]}" for s in group)
    return REDUCE_ASK.format(source=source_of(doc)) + body


def groups(summaries: list[Summary], size: int) -> list[list[Summary]]:
    """The summaries packed a few at a time (at least two, so each round leaves fewer) into
    groups whose text fits `size` characters; a lone last one waits for the next round."""
    grouped: list[list[Summary]] = []
    used = 0
    for summary in summaries:
        length = len(summary.text) + len(SEPARATOR)
        if grouped and (len(grouped[-1]) < 2 or used + length <= size):
            grouped[-1].append(summary)
            used += length
        else:
            grouped.append([summary])
            used = length
    return grouped


def combined(group: list[Summary], text: str) -> Summary:
    return Summary(text, tuple(c for s in group for c in s.covers))


def progress(doc: Document, done: list[Summary], step: str, current: str) -> str:
    """The answer while it runs: the step ("Part 4 of 12…"), then each part's summary so far
    under what it covers, then the part being written."""
    lines = [f"*{step}*"]
    lines += [f"**{_cap(where(s.covers))}**\n{s.text.strip()}" for s in done]
    if current.strip():
        lines.append(current.strip())
    return SEPARATOR.join(lines)


def part_step(number: int, of: int) -> str:
    return tr("Summarizing part {n} of {total}…", n=number, total=of)


def combine_step(number: int, of: int) -> str:
    return tr("Combining the summaries: {n} of {total}…", n=number, total=of)


def finished(doc: Document, result: Summary) -> str:
    """The answer once the summaries are one: what it covers, then the summary."""
    head = tr("{where} of {source}: summary", where=_cap(where(result.covers)), source=source_of(doc))
    return f"**{head}**{SEPARATOR}{result.text.strip()}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def stopped(doc: Document, done: list[Summary], of: int) -> str:
    """The answer when Stop ended it: what was summarized is kept, and says what it covers."""
    if not done:
        return tr("Stopped before any part of {source} was summarized.", source=source_of(doc))
    covers = tuple(c for s in done for c in s.covers)
    head = tr(
        "Stopped: {count} of {total} parts summarized ({where}).",
        count=sum(len(s.covers) for s in done),
        total=of,
        where=where(covers),
    )
    body = SEPARATOR.join(f"**{_cap(where(s.covers))}**\n{s.text.strip()}" for s in done)
    return f"*{head}*{SEPARATOR}{body}"
