"""Documents opened for the empty chat's use cases (issue #24): a .txt/.md file read as text, a PDF
or .docx read in a worker with progress and Cancel, the result shown in the form's box and kept
(until the box changes) so a question can point at its pages or sections. A file refused for any
reason leaves one sentence and nothing behind. Pages that are only images are named; where a
model on this device reads pictures, the sentence offers to read them (`offer`:
ui/handlers/scans.py), else it names a catalogue model that would. Pure over
chat.ports.LocalFiles and the Page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tabula.chat import documents, scans
from tabula.chat.documents import Document, DocumentProblem
from tabula.chat.ports import LocalFiles
from tabula.i18n.translate import tr, tr_n
from tabula.ui.ports import Page

NOTE_BYTES = 4_000_000  # a .txt or .md file larger than this is refused before reading
HEAD_BYTES = 8  # enough to tell a PDF or a zip (docx) from anything else
PROGRESS_EVERY_S = 1.0  # a progress notice at most this often, so its Cancel stays put to tap
NO_READERS = scans.Readers(None, "")
Offer = Callable[[Document, object, str, str], bool]  # (doc, file, where, said): offered to read its scans


class DocumentOpener:
    def __init__(
        self, files: LocalFiles, page: Page, notice: Callable[[str, str], None],
        readers: Callable[[], scans.Readers] = lambda: NO_READERS, offer: Offer | None = None,
    ) -> None:  # fmt: skip
        self.files, self.page, self.notice = files, page, notice
        self.readers, self.offer = readers, offer  # who reads pictures of pages; the offer to read them
        self.opened: dict[str, Document] = {}  # by the box it was shown in
        self.cancelled = False
        self.shown_at = 0.0  # when progress was last shown (time.monotonic)

    def document(self, target: str, text: str) -> Document:
        """What the box `target` holds: the document opened into it (pages or sections known)
        while its text is unchanged, else the text as typed or pasted."""
        doc = self.opened.get(target)
        if doc is not None and doc.sections and doc.text.strip() == text.strip():
            return doc
        return documents.from_text("", text)

    async def open(self, target: str, file: object) -> None:
        """Read a picked file here and put its text in the box `target`."""
        self.opened.pop(target, None)
        doc = await self.read(file)
        if doc is None:
            return
        self.opened[target] = doc
        self.page.fill(target, doc.text)
        self.tell(doc, file, target, opened_sentence(doc, self.readers()))

    def tell(self, doc: Document, file: object, target: str, said: str) -> None:
        """Say `said` (what was opened); with the offer to read its scanned pages where it can be made."""
        if not (doc.scanned and self.offer is not None and self.offer(doc, file, target, said)):
            self.notice("ok", said)

    async def read(self, file: object) -> Document | None:
        """The document a picked file holds; None, with its one sentence (or none after Cancel),
        when it cannot be used."""
        self.cancelled = False
        try:
            return await self._read(file)
        except DocumentProblem as problem:
            self.notice("error", str(problem))
        except ValueError:
            self.notice("error", tr("Open a plain text file (.txt or .md) under 4 MB."))
        except Exception:  # Cancel ended the worker (the person's choice), or the reader broke
            if not self.cancelled:
                self.notice("error", tr("This file could not be read."))
        return None

    async def _read(self, file: object) -> Document:
        name, size = self.files.documents.describe(file)
        kind = documents.kind_of(name)
        if kind == "text":
            name, text = await self.files.read_text(file, NOTE_BYTES)
            return documents.from_text(name, text)
        documents.check_file(name, kind, size, await self.files.documents.head(file, HEAD_BYTES))
        self.notice("busy", tr("Reading {name}…", name=name))
        shown = lambda done, total: self._progress(name, done, total)  # noqa: E731
        found = await self.files.documents.read(file, kind, documents.MAX_PAGES, shown)
        if "error" in found:
            raise documents.reading_failed(name, found["error"], found.get("pages", 0))
        if kind == "pdf":
            readers = self.readers()
            return documents.from_pdf(name, found["pages"], readers.reader is not None, readers.could)
        return documents.from_docx(name, found["html"])

    def _progress(self, name: str, done: int, total: int) -> None:
        now = time.monotonic()
        if total > 1 and now - self.shown_at >= PROGRESS_EVERY_S:
            self.shown_at = now
            self.notice(
                "busy", tr("Reading {name}: page {done} of {total}…", name=name, done=done, total=total)
            )

    def cancel(self) -> None:
        """Stop reading the file (its worker is ended); nothing of it is kept."""
        self.cancelled = True
        self.files.documents.cancel()
        self.notice("ok", tr("Stopped reading the file. Nothing was kept."))


def opened_sentence(doc: Document, readers: scans.Readers = NO_READERS) -> str:
    """What the person is told once a file is open: its pages that are images too, and (none here
    reads pictures) which model would."""
    size = len(doc.text)
    if doc.kind == "pdf":
        said = tr_n(
            "Opened {name} ({count} page).", "Opened {name} ({count} pages).", doc.pages, name=doc.title
        )
    elif doc.kind == "docx":
        said = tr_n(
            "Opened {name} ({count} section).",
            "Opened {name} ({count} sections).",
            len(doc.sections),
            name=doc.title,
        )
    else:
        said = tr_n(
            "Opened {name} ({count} character).", "Opened {name} ({count} characters).", size, name=doc.title
        )
    return " ".join(filter(None, (said, _images(doc, readers), tr("It stays on this device."))))


def _images(doc: Document, readers: scans.Readers) -> str:
    if not doc.scanned:
        return ""
    if readers.reader is not None:  # the offer to read them follows (ui/handlers/scans.py)
        return scans.images(doc.scanned)
    left_out = tr("Left out: {images}.", images=documents.images_sentence(doc.scanned))
    return f"{left_out} {documents.could_read(doc.scanned, readers.could)}"
