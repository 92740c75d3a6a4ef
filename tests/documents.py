"""Test documents written by the suite (issue #24): a clinic guide as a multi-page PDF whose answer
lives on a known page (one that word overlap does not pick), with an image-only page; a scanned
PDF (images only); an encrypted PDF; damaged files; a .docx with headings. fpdf2 and python-docx
(the test dependency group) write them; nothing is committed.
"""

from __future__ import annotations

from pathlib import Path

FILLER = (
    "Every visit is written in the child's health card. Nurses check the weight, the temperature "
    "and the vaccines, and explain to the family what happens next. "
)
# The clinic guide, page by page. The answer to QUESTION is on ANSWER_PAGE; page 2 shares more of
# the question's words (what, should, child, get) and is what word overlap picks.
GUIDE = (
    "Welcome to the district clinic guide. It is for nurses and health workers. " + FILLER * 6,
    "What should a parent do when a child does not get better after three days? Come back to the "
    "clinic, and bring the health card. What the child ate and drank matters too. " + FILLER * 5,
    "Malaria testing: use the rapid test before any treatment. A negative test means looking for "
    "another cause of the fever. " + FILLER * 5,
    "Amoxicillin dosage: 25 mg per kg of body weight, twice a day, for five days, for pneumonia in "
    "children under five. Measure the weight first. " + FILLER * 5,
    "Oral rehydration: mix one sachet in one litre of clean water and give small sips often. " + FILLER * 5,
    "Vaccination calendar: measles at nine months, and the booster at eighteen months. " + FILLER * 5,
)
ANSWER_PAGE = 4
QUESTION = "What dose of amoxicillin should a child get?"
ANSWER_TEXT = "25 mg per kg of body weight"
FOLLOW_UP = "At what age is the measles vaccine given?"  # asked next, in the same conversation
FOLLOW_UP_TEXT = "Vaccination calendar: measles at nine months"  # on page 6
IMAGE_PAGE = len(GUIDE) + 1  # the guide ends with one scanned page (an image, no text layer)


def _pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    return pdf


def _image_page(pdf) -> None:
    from PIL import Image

    pdf.add_page()
    pdf.image(Image.new("RGB", (120, 80), (200, 180, 150)), x=20, y=20, w=120)


def guide_pdf(path: Path) -> Path:
    """The clinic guide: six pages of text, then one page that is only an image."""
    pdf = _pdf()
    for text in GUIDE:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    _image_page(pdf)
    pdf.output(str(path))
    return path


def long_pdf(path: Path, pages: int = 400) -> Path:
    """A long report (to read for a while, then cancel)."""
    pdf = _pdf()
    for n in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Report page {n + 1}. " + FILLER)
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path, pages: int = 3) -> Path:
    """A PDF of images only: no text at all."""
    pdf = _pdf()
    for _ in range(pages):
        _image_page(pdf)
    pdf.output(str(path))
    return path


def encrypted_pdf(path: Path) -> Path:
    """A PDF that opens only with a password."""
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.multi_cell(0, 6, "A private report.")
    pdf.output(str(path))
    return path


def damaged_pdf(path: Path) -> Path:
    """Starts like a PDF; the rest is noise."""
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 16)
    return path


def headed_docx(path: Path) -> Path:
    """A school policy with headings: the answer about trips is under "School trips"."""
    from docx import Document

    doc = Document()
    doc.add_heading("School policy", level=1)
    doc.add_paragraph("This policy is for teachers, parents and pupils.")
    doc.add_heading("Homework", level=2)
    doc.add_paragraph("Homework is set on Mondays and handed in on Fridays.")
    doc.add_heading("School trips", level=2)
    doc.add_paragraph("Trips need a signed permission slip, returned one week before the trip.")
    doc.add_heading("Uniform", level=2)
    doc.add_paragraph("Pupils wear the blue jumper; trainers only for sport.")
    doc.save(str(path))
    return path
