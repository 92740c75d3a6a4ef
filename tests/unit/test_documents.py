"""Documents opened on the device (chat/documents.py) and questions asked about them
(chat/retrieval.py): pages and headings kept, scanned pages found, one sentence for each bad
file, the best passages that fit sent with the question and read back for the chat."""

from __future__ import annotations

import re

import pytest

from tabula.chat import documents, retrieval, usecases
from tabula.chat.documents import DocumentProblem
from tests import documents as made

POLICY_HTML = (
    "<h1>School policy</h1><p>This policy is for teachers, parents and pupils.</p><h2>Homework</h2>"
    "<p>Homework is set on Mondays.</p><h2>School trips</h2><p>Trips need a signed permission slip, "
    "returned one week before.</p><ul><li>Bring water</li><li>Bring a hat</li></ul>"
)


def guide() -> documents.Document:
    return documents.from_pdf("guide.pdf", [*made.GUIDE, ""])


def test_a_pdf_keeps_its_page_numbers_and_names_its_image_pages() -> None:
    doc = guide()
    assert [s.label for s in doc.sections] == ["1", "2", "3", "4", "5", "6"]
    assert doc.scanned == (7,) and doc.pages == 7
    assert documents.images_sentence((3, 4, 5, 6, 7, 9)) == "pages 3–7, 9 are images"


def test_a_docx_is_cut_at_its_headings() -> None:
    doc = documents.from_docx("policy.docx", POLICY_HTML)
    assert [s.label for s in doc.sections] == ["School policy", "Homework", "School trips"]
    assert doc.sections[2].text.startswith("School trips\n") and "Bring a hat" in doc.sections[2].text


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda: documents.from_pdf("scan.pdf", ["", " ", ""]),
            "scan.pdf has no text to read: pages 1–3 are images",
        ),
        (
            lambda: documents.reading_failed("x.pdf", "PasswordException", 0),
            "x.pdf is protected by a password",
        ),
        (lambda: documents.reading_failed("x.pdf", "InvalidPDFException", 0), "x.pdf is damaged"),
        (lambda: documents.reading_failed("x.pdf", "TooManyPages", 2500), "x.pdf has 2500 pages"),
        (lambda: documents.check_file("x.pdf", "pdf", 60_000_000, b"%PDF-"), "x.pdf is too large (60 MB)"),
        (lambda: documents.check_file("x.pdf", "pdf", 100, b"\x89PNG"), "x.pdf is not a PDF file"),
        (lambda: documents.check_file("x.docx", "docx", 100, b"%PDF-"), "x.docx is not a Word (.docx) file"),
        (lambda: documents.kind_of("photo.jpg"), "Open a PDF, a Word file"),
        (lambda: documents.from_docx("e.docx", "<p> </p>"), "e.docx has no text to read."),
    ],
)
def test_each_bad_file_gets_one_sentence(make, said: str) -> None:
    with pytest.raises(DocumentProblem) as problem:
        raised = make()
        if isinstance(raised, DocumentProblem):
            raise raised
    assert str(problem.value).startswith(said)


def test_the_question_goes_with_the_page_that_answers_it_not_the_one_sharing_most_words() -> None:
    """Word overlap (today) picks page 2, which shares what/should/child/get; BM25 page 4."""
    parts = [usecases.Part(i + 1, 6, 0, 0, text) for i, text in enumerate(made.GUIDE)]
    assert usecases.best_part(parts, made.QUESTION).number == 2
    message = retrieval.ask(guide(), made.QUESTION, 1500)
    asked = retrieval.read_back(message)
    assert asked is not None and asked.question == made.QUESTION and asked.source == "guide.pdf"
    assert retrieval.where(asked) == "page 4" and made.ANSWER_TEXT in message
    assert re.search(r"^\[page 4\]$", message, re.MULTILINE)


def test_the_best_passages_that_fit_are_sent_in_document_order() -> None:
    text = "\n\n".join(f"Paragraph {i} is about farming and crops in the valley." for i in range(60))
    doc = documents.from_text(
        "", text.replace("Paragraph 40 is about farming", "Paragraph 40: the volcano Teide")
    )
    message = retrieval.ask(doc, "Where is the volcano Teide?", 600)
    asked = retrieval.read_back(message)
    assert asked is not None and asked.source == "this document"
    assert "volcano Teide" in message and len(message) < 600 + 400
    assert retrieval.where(asked).startswith("part ")


def test_a_docx_question_names_the_section() -> None:
    doc = documents.from_docx("policy.docx", POLICY_HTML)
    asked = retrieval.read_back(retrieval.ask(doc, "When is the permission slip for trips returned?", 2000))
    assert asked is not None and retrieval.where(asked) == "“School trips”"


def test_other_messages_are_not_read_as_document_questions() -> None:
    assert retrieval.read_back("Answer the question using only these passages from me") is None
    assert retrieval.read_back("Hello") is None
    with pytest.raises(ValueError):
        retrieval.ask(guide(), "  ", 1000)
