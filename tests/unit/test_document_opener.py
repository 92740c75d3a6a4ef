"""Opening a file for the empty chat's use cases (ui/handlers/documents.py): a PDF read page by
page with progress, a Cancel that ends the read and keeps nothing, a bad file that leaves one
sentence and an empty box, and the opened document used while its text is unchanged; a question
about it shows its passages collapsed, and its answer what it used."""

from __future__ import annotations

import asyncio

from tabula.chat import documents, retrieval
from tabula.chat.messages import Message
from tabula.ui.handlers.documents import DocumentOpener
from tabula.ui.views.messages import bubble
from tests import documents as made
from tests.aio import run
from tests.fakes import FakePage


class FakeReader:
    """chat.ports.DocumentReader: gives `pages` one by one; cancel() ends the read."""

    def __init__(self, head: bytes = b"%PDF-1.7", pages: list[str] | None = None, error: str = "") -> None:
        self.first, self.pages, self.error = head, pages or [], error
        self.gate: asyncio.Event | None = None
        self.cancelled = False

    def describe(self, file: object) -> tuple[str, int]:
        return str(file), 1000

    async def head(self, file: object, count: int) -> bytes:
        return self.first[:count]

    async def read(self, file, kind, max_pages, progress) -> dict:
        if self.error:
            return {"error": self.error, "pages": 0}
        for n in range(1, len(self.pages) + 1):
            progress(n, len(self.pages))
            if self.gate is not None:
                await self.gate.wait()
            if self.cancelled:
                raise RuntimeError("worker ended")
        return {"pages": self.pages}

    def cancel(self) -> None:
        self.cancelled = True
        if self.gate is not None:
            self.gate.set()


class Files:
    def __init__(self, reader: FakeReader) -> None:
        self.documents = reader


def opener(reader: FakeReader) -> tuple[DocumentOpener, FakePage, list[tuple[str, str]]]:
    page, notices = FakePage(), []
    return DocumentOpener(Files(reader), page, lambda kind, text: notices.append((kind, text))), page, notices


def test_a_pdf_is_read_with_progress_and_its_pages_are_kept_while_the_box_is_unchanged() -> None:
    docs, page, notices = opener(FakeReader(pages=[*made.GUIDE, ""]))
    run(docs.open("document-text", "guide.pdf"))
    assert ("busy", "Reading guide.pdf: page 1 of 7…") in notices
    assert notices[-1] == (
        "ok",
        "Opened guide.pdf (7 pages). Left out: page 7 is an image. Gemma 4 E2B could read it as a "
        "picture: add it on the Models page. It stays on this device.",
    )
    shown = page.filled["document-text"]
    assert docs.document("document-text", shown + "\n").kind == "pdf"
    assert docs.document("document-text", shown + " edited").kind == "text"


def test_cancel_ends_the_read_and_keeps_nothing() -> None:
    reader = FakeReader(pages=list(made.GUIDE))
    docs, page, notices = opener(reader)

    async def scenario() -> None:
        reader.gate = asyncio.Event()
        reading = asyncio.ensure_future(docs.open("document-text", "guide.pdf"))
        await asyncio.sleep(0)
        docs.cancel()
        await reading

    run(scenario())
    assert reader.cancelled and "document-text" not in page.filled and not docs.opened
    assert notices[-1] == ("ok", "Stopped reading the file. Nothing was kept.")


def test_a_bad_file_leaves_one_sentence_and_nothing_behind() -> None:
    for reader, said in (
        (FakeReader(error="PasswordException"), "locked.pdf is protected by a password."),
        (FakeReader(head=b"\x89PNG"), "locked.pdf is not a PDF file, although its name says so."),
    ):
        docs, page, notices = opener(reader)
        run(docs.open("document-text", "locked.pdf"))
        assert notices[-1][0] == "error" and notices[-1][1].startswith(said)
        assert not page.filled and not docs.opened


def test_a_document_question_shows_its_passages_collapsed_and_the_answer_what_it_used() -> None:
    doc = documents.from_pdf("guide <b>.pdf", [*made.GUIDE, ""])
    asked = Message(1, "user", retrieval.ask(doc, made.QUESTION, 1500))
    question = bubble(asked, "ready")
    assert f'<div class="text" data-md>{made.QUESTION}</div>' in question
    assert (
        '<details class="passages"><summary>Passages sent from guide &lt;b&gt;.pdf: page 4</summary>'
        in question
    )
    assert "Amoxicillin dosage" in question and "<b>" not in question
    answer = bubble(Message(2, "model", "Give 25 mg per kg.", status="done"), "ready", asked)
    assert '<p class="used">Used: page 4</p>' in answer
    plain = bubble(Message(2, "model", "Hi", status="done"), "ready", Message(1, "user", "Hello"))
    assert 'class="used"' not in plain
