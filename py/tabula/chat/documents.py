"""A document opened on the device (issue #24): what it is, its parts with their page numbers or
headings, the pages that are only images (and those whose text a model read from a picture of
them: chat/scans.py), the limits, and the one sentence for each kind of bad input. Pure:
browser/doc_reader.py reads the file (PDF.js, mammoth, in a worker) and hands over plain values;
nothing of a file that is refused is kept.

May import: i18n, and usecases (the text limit). The docx HTML is mammoth's own (headings,
paragraphs, lists, tables): the standard library's HTMLParser cuts it at its headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from tabula.chat.usecases import MAX_INPUT_CHARS
from tabula.i18n.translate import tr

MAX_BYTES = 50_000_000
MAX_PAGES = 2_000
KINDS = {"pdf": "pdf", "docx": "docx", "txt": "text", "md": "text", "markdown": "text"}
SIGNATURES = {"pdf": b"%PDF-", "docx": b"PK\x03\x04"}  # what the first bytes of each kind are
WHAT = {"pdf": "PDF", "docx": "Word (.docx)"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = HEADINGS | {"p", "li", "tr", "td", "th", "br", "table", "ul", "ol"}
MAX_LABEL = 80  # a heading longer than this is cut in references
EXAMPLE = "Gemma 4 E2B"  # a model that reads pictures, named when the catalogue holds none


class DocumentProblem(ValueError):
    """A file that cannot be used; str() is the one sentence the person reads."""


@dataclass(frozen=True)
class Section:
    """One part of a document as its author cut it: a PDF page, a docx section, or all of a text."""

    ref: str  # "page" | "section" | "part"
    label: str  # the page number, the heading ("" before the first one), or "" for a text
    text: str


@dataclass(frozen=True)
class Document:
    title: str  # the file name ("" for pasted text)
    kind: str  # "pdf" | "docx" | "text"
    sections: tuple[Section, ...]
    scanned: tuple[int, ...] = ()  # PDF pages with no text layer (images), not read
    pages: int = 0  # a PDF's page count
    pictured: tuple[int, ...] = ()  # scanned pages whose text a model read from a picture of them

    @property
    def text(self) -> str:
        """All the text, as it is shown in the form's box."""
        return "\n\n".join(s.text for s in self.sections)


def to_dict(doc: Document) -> dict:
    """What is kept of a document with its conversation: its text and page map, not the file."""
    return {
        "title": doc.title, "kind": doc.kind, "pages": doc.pages, "scanned": list(doc.scanned),
        "pictured": list(doc.pictured), "sections": [[s.ref, s.label, s.text] for s in doc.sections],
    }  # fmt: skip


def from_dict(raw: object) -> Document:
    """The document to_dict() kept; ValueError for anything damaged."""
    try:
        sections = tuple(Section(*(str(v) for v in s)) for s in raw["sections"] if len(s) == 3)  # type: ignore[index]
        doc = Document(
            str(raw["title"]), str(raw["kind"]), sections,  # type: ignore[index]
            tuple(int(n) for n in raw.get("scanned", ())), int(raw.get("pages", 0)),  # type: ignore[union-attr]
            tuple(int(n) for n in raw.get("pictured", ())),  # type: ignore[union-attr]
        )  # fmt: skip
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"a kept document is damaged ({error})") from None
    if doc.kind not in KINDS.values() or not sections:
        raise ValueError("a kept document is damaged")
    return doc


def kind_of(name: str) -> str:
    """ "pdf", "docx" or "text" from the file name; DocumentProblem for any other."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in KINDS:
        raise DocumentProblem(tr("Open a PDF, a Word file (.docx) or a plain text file (.txt or .md)."))
    return KINDS[ext]


def check_file(name: str, kind: str, size: int, head: bytes) -> None:
    """Refuse, before reading it, a file over the size limit or not what its name says."""
    if size > MAX_BYTES:
        raise DocumentProblem(
            tr(
                "{name} is too large ({size} MB): Tabula reads documents up to 50 MB.",
                name=name,
                size=size // 1_000_000,
            )
        )
    signature = SIGNATURES.get(kind)
    if signature is not None and not head.startswith(signature):
        raise DocumentProblem(
            tr("{name} is not a {what} file, although its name says so.", name=name, what=WHAT[kind])
        )


def page_ranges(numbers: tuple[int, ...] | list[int]) -> str:
    """1, 3, 4, 5, 9 -> "1, 3–5, 9"."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def images_sentence(scanned: tuple[int, ...]) -> str:
    """ "pages 3–7 are images" (or "page 3 is an image")."""
    pages = page_ranges(scanned)
    if len(scanned) == 1:
        return tr("page {pages} is an image", pages=pages)
    return tr("pages {pages} are images", pages=pages)


def from_pdf(name: str, pages: list[str], readable: bool = False, could: str = "") -> Document:
    """The pages PDF.js read. When none has text (a scan): DocumentProblem naming `could` (a model
    that reads pictures), unless `readable` (a model on this device can read them): then the
    document has no sections yet, only its scanned pages, to be read (chat/scans.py)."""
    if len(pages) > MAX_PAGES:
        raise too_many_pages(name, len(pages))
    texts = [_tidy(p) for p in pages]
    scanned = tuple(i + 1 for i, t in enumerate(texts) if not t)
    if not texts:
        raise DocumentProblem(tr("{name} has no text to read.", name=name))
    if len(scanned) == len(texts) and not readable:
        raise DocumentProblem(
            tr("{name} has no text to read: {images} (a scan).", name=name, images=images_sentence(scanned))
            + " "
            + could_read(scanned, could)
        )
    sections = tuple(Section("page", str(i + 1), t) for i, t in enumerate(texts) if t)
    return _checked(Document(name, "pdf", sections, scanned, len(texts)))


def could_read(scanned: tuple[int, ...], model: str) -> str:
    """Which model would read pages that are images (none on this device can)."""
    if len(scanned) == 1:
        return tr("{model} could read it as a picture: add it on the Models page.", model=model or EXAMPLE)
    return tr("{model} could read them as pictures: add it on the Models page.", model=model or EXAMPLE)


def with_pictures(doc: Document, read: dict[int, str]) -> Document:
    """`doc` with the text a model read from pictures of its scanned pages (`read`, by page) as
    those pages' sections, in page order, marked as read from a picture; a page where it found
    no text stays an image. DocumentProblem when that leaves the document too long."""
    found = {n: text for n, raw in read.items() if n in doc.scanned and (text := _tidy(raw))}
    added = (Section("page", str(n), text) for n, text in found.items())
    sections = tuple(sorted((*doc.sections, *added), key=lambda s: int(s.label)))
    left = tuple(n for n in doc.scanned if n not in found)
    pictured = tuple(sorted({*doc.pictured, *found}))
    return _checked(Document(doc.title, doc.kind, sections, left, doc.pages, pictured))


def from_docx(name: str, html: str) -> Document:
    """mammoth's HTML cut into sections at its headings (each heading starts one)."""
    cutter = _Sections()
    cutter.feed(html)
    cutter.close()
    sections = tuple(Section("section", label, text) for label, text in cutter.done() if text)
    if not sections:
        raise DocumentProblem(tr("{name} has no text to read.", name=name))
    return _checked(Document(name, "docx", sections))


def from_text(name: str, text: str) -> Document:
    """Pasted text or a .txt/.md file: one section, cut into numbered parts when it is asked."""
    if not text.strip():
        raise DocumentProblem(tr("Paste some text or open a .txt or .md file first."))
    return _checked(Document(name, "text", (Section("part", "", text),)))


def too_many_pages(name: str, pages: int) -> DocumentProblem:
    return DocumentProblem(
        tr("{name} has {pages} pages: Tabula reads documents up to 2,000 pages.", name=name, pages=pages)
    )


def reading_failed(name: str, error: str, pages: int) -> DocumentProblem:
    """The sentence for a reader's failure, by the exception's name (PDF.js's, or mammoth's)."""
    if error == "PasswordException":
        return DocumentProblem(
            tr(
                "{name} is protected by a password. Save a copy without the password in a PDF app, "
                "then open that.",
                name=name,
            )
        )
    if error == "TooManyPages":
        return too_many_pages(name, pages)
    return DocumentProblem(tr("{name} is damaged and cannot be read.", name=name))


def _checked(doc: Document) -> Document:
    if sum(len(s.text) for s in doc.sections) > MAX_INPUT_CHARS:
        raise DocumentProblem(tr("This text is too long (over 2 million characters)."))
    return doc


def _tidy(text: str) -> str:
    """Spaces and line breaks as a reader expects them: no runs of blanks, no trailing ones."""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def label_of(heading: str) -> str:
    """A heading as references show it: one line, at most MAX_LABEL characters, no brackets."""
    flat = re.sub(r"\s+", " ", heading.replace("[", "(").replace("]", ")")).strip()
    return flat if len(flat) <= MAX_LABEL else flat[: MAX_LABEL - 1].rstrip() + "…"


class _Sections(HTMLParser):
    """Collects (heading, text) pairs from mammoth's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[str]]] = [("", [])]
        self.heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HEADINGS:
            self.heading = []
        elif tag in BLOCKS:
            self.found[-1][1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self.heading is not None:
            self.found.append((label_of("".join(self.heading)), []))
            self.heading = None
        elif tag in BLOCKS:
            self.found[-1][1].append("\n")

    def handle_data(self, data: str) -> None:
        (self.heading if self.heading is not None else self.found[-1][1]).append(data)

    def done(self) -> list[tuple[str, str]]:
        """(heading, its text with the heading as its first line) for each section."""
        return [
            (label, _tidy(f"{label}\n{''.join(parts)}") if "".join(parts).strip() else "")
            for label, parts in self.found
        ]
