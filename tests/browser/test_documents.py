"""A nurse opens the clinic guide (a PDF) and a school policy (.docx) on the device (issue #24):
real PDF.js and mammoth in their worker, the real engine on the tiny model. The question goes to
the engine with the page that answers it (page 4, which today's word overlap would not pick:
tests/unit/test_documents.py shows it), the answer names page 4, and bad files (encrypted,
damaged, scanned, not what their name says) each get one sentence and leave nothing behind, as
does a long PDF whose reading is cancelled (its worker is ended). A follow-up typed in the
composer is asked with the page that answers it, its reference opens the document view on that
page, and a document added in the composer is used by the next question; the conversation's JSON
export holds both documents and its import brings them back. One booted page for all of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests import documents as made
from tests.browser.chatting import open_chat, save_settings, wait_final
from tests.browser.conftest import Journey, wait_ready
from tests.browser.engines import in_engine
from tests.browser.test_chat import RECORD_PROMPTS
from tests.browser.test_chat_files import export, import_text
from tests.browser.test_conversations import library
from tests.browser.test_saves import STORED_TEXTS
from tests.browser.test_tablet import ARTIFACTS, starter, touch_targets_too_small, violations
from tests.browser.waiting import wait_until


def text_named_pdf(path: Path) -> Path:
    path.write_text("just some notes")
    return path


BAD = {
    "locked.pdf": (made.encrypted_pdf, "locked.pdf is protected by a password"),
    "broken.pdf": (made.damaged_pdf, "broken.pdf is damaged and cannot be read."),
    "scan.pdf": (made.scanned_pdf, "scan.pdf has no text to read: pages 1–3 are images"),
    "notes.pdf": (text_named_pdf, "notes.pdf is not a PDF file"),
}


def reader_ended(page: Page) -> bool:
    """No document reader worker is running (Playwright hears of its end a moment after it: on a
    busy machine, after the notice)."""
    for _ in range(50):
        if not [w for w in page.workers if w.url.endswith("/js/doc_reader.js")]:
            return True
        page.wait_for_timeout(100)
    return False


def notice(page: Page, role: str, text: str) -> None:
    expect(page.get_by_role(role).filter(has_text=text)).to_be_visible()


def test_a_pdf_question_is_asked_with_the_page_that_answers_it_and_bad_files_leave_nothing(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    save_settings(page, system_prompt="")  # the tiny model's 256 tokens go to the document
    page.get_by_role("link", name="Chat", exact=True).click()
    card = starter(page, "Ask about a document")
    picker, box = card.locator('input[type="file"]'), card.get_by_label("The document")
    for name, (make, said) in BAD.items():
        picker.set_input_files(make(tmp_path / name))
        notice(page, "alert", said)
        page.get_by_role("button", name="Dismiss").click()
        expect(box).to_have_value("")  # nothing of it was kept

    picker.set_input_files(made.long_pdf(tmp_path / "report.pdf"))
    notice(page, "status", "Reading report.pdf: page ")
    page.get_by_role("button", name="Cancel", exact=True).click()
    notice(page, "status", "Stopped reading the file. Nothing was kept.")
    assert reader_ended(page)  # the worker was ended
    expect(box).to_have_value("")

    summary = starter(page, "Summarize a note")
    summary.locator('input[type="file"]').set_input_files(made.headed_docx(tmp_path / "policy.docx"))
    notice(page, "status", "Opened policy.docx (4 sections).")
    expect(summary.get_by_label("Your note")).to_have_value(
        "School policy\n\nThis policy is for teachers, parents and pupils.\n\nHomework\n\n"
        "Homework is set on Mondays and handed in on Fridays.\n\nSchool trips\n\nTrips need a signed "
        "permission slip, returned one week before the trip.\n\nUniform\n\nPupils wear the blue jumper; "
        "trainers only for sport."
    )

    picker.set_input_files(made.guide_pdf(tmp_path / "guide.pdf"))
    notice(page, "status", f"Opened guide.pdf (7 pages). Left out: page {made.IMAGE_PAGE} is an image.")
    expect(box).to_have_value(re.compile(r"^Welcome to the district clinic guide"))
    in_engine(page, RECORD_PROMPTS)
    card.get_by_label("Your question").fill(made.QUESTION)
    card.get_by_role("button", name="Ask", exact=True).click()
    answer = page.locator("article.msg.model").first
    assert wait_final(answer) == "done"
    (prompt,) = in_engine(page, "() => self.__prompts")
    assert made.ANSWER_TEXT in " ".join(prompt.split()) and "[page 4]\nAmoxicillin dosage" in prompt, prompt
    assert made.QUESTION in prompt and "[page 2]" not in prompt
    expect(answer.locator(".used")).to_have_text("Used: page 4")
    asked = page.locator("article.msg.user").first
    expect(asked.locator(".text")).to_have_text(made.QUESTION)
    expect(asked.locator("details.passages summary")).to_have_text("Passages sent from guide.pdf: page 4")
    expect(asked.locator("details.passages")).not_to_have_attribute("open", "")
    follow_up_reference_and_composer_document(page, tmp_path)

    # A 60-page PDF is longer than the tiny model's context: it is summarized part by part, the
    # answer says which part it is on, and Stop ends the whole summary (no part is asked after it).
    page.get_by_role("button", name="New chat").click()
    summary = starter(page, "Summarize a note")
    summary.locator('input[type="file"]').set_input_files(made.long_pdf(tmp_path / "long.pdf", pages=60))
    notice(page, "status", "Opened long.pdf (60 pages).")
    asked_before = len(in_engine(page, "() => self.__prompts"))
    summary.get_by_role("button", name="Summarize", exact=True).click()
    expect(page.locator("article.msg.user").first).to_have_text(
        re.compile("Summarize long.pdf \\(pages 1–60\\)")
    )
    answer = page.locator("article.msg.model").first
    expect(answer).to_contain_text(re.compile(r"Summarizing part 2 of \d+…"), timeout=120_000)
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    assert wait_final(answer) == "stopped"
    kept = re.search(r"Stopped: (\d+) of (\d+) parts summarized \(pages? 1(–\d+)?\)", answer.inner_text())
    assert kept and int(kept.group(2)) > 2, answer.inner_text()
    asked = len(in_engine(page, "() => self.__prompts")) - asked_before
    assert asked in (int(kept.group(1)), int(kept.group(1)) + 1)  # the parts done, and the one stopped
    prompts = in_engine(page, "() => self.__prompts")[asked_before:]
    assert "Summarize this part of long.pdf (page" in prompts[0] and "Report page 1." in prompts[0]
    assert len(in_engine(page, "() => self.__prompts")) - asked_before == asked  # none after Stop

    # The document is kept with its conversation (its text and page map, not the file): listed,
    # stored in IndexedDB, there again after a reload; Remove drops its text from storage.
    kept = page.locator(".kept-docs")
    expect(kept).to_contain_text("long.pdf")
    wait_until(page, f"({STORED_TEXTS})().then(t => t.includes('Report page 60.'))")
    page.reload()
    wait_ready(page)
    expect(kept).to_contain_text("long.pdf")
    kept.get_by_role("button", name="Remove long.pdf from this conversation").click()
    expect(kept).to_have_count(0)
    wait_until(page, f"({STORED_TEXTS})().then(t => !t.includes('Report page 60.'))")


def ask_in_composer(page: Page, question: str, nth: int) -> str:
    """Send `question` from the composer; the prompt the engine received for answer `nth`."""
    page.get_by_role("textbox", name="Message").fill(question)
    page.locator("form.composer").get_by_role("button", name="Send", exact=True).click()
    answer = page.locator("article.msg.model").nth(nth)
    assert wait_final(answer) == "done"
    return in_engine(page, "() => self.__prompts")[-1]


def follow_up_reference_and_composer_document(page: Page, tmp_path: Path) -> None:
    """In the guide's conversation: a follow-up goes with page 6, 'Used: page 6' opens the document
    view there (the passage highlighted, then back to the chat), a .docx added in the composer
    answers the next question, and the JSON export carries both documents back in an import."""
    prompt = ask_in_composer(page, made.FOLLOW_UP, 1)
    assert f"[page 6]\n{made.FOLLOW_UP_TEXT}" in prompt and "[page 4]" not in prompt, prompt
    answer = page.locator("article.msg.model").nth(1)
    expect(answer.locator(".used")).to_have_text("Used: page 6")
    answer.get_by_role("link", name="Open page 6 in the document").click()
    expect(page.locator(".doc-where")).to_have_text("Page 6 of 7")
    expect(page.locator(".doc-view mark")).to_contain_text(made.FOLLOW_UP_TEXT)
    expect(page.locator(".doc-view mark[data-reveal]")).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document-view.png"))
    assert touch_targets_too_small(page) == [] and violations(page) == []
    page.get_by_role("link", name="Back to the chat").first.click()
    expect(page.locator("article.msg")).to_have_count(4)

    page.locator('form.composer input[data-action="open-note:composer"]').set_input_files(
        tmp_path / "policy.docx"
    )
    notice(page, "status", "Opened policy.docx (4 sections). It stays on this device. Your next questions")
    expect(page.locator(".kept-docs")).to_contain_text("policy.docx")
    prompt = ask_in_composer(page, "When is homework handed in?", 2)
    assert "[section Homework]\nHomework\n\nHomework is set on Mondays and handed in on Fridays." in prompt
    expect(page.locator("article.msg.model").nth(2).locator(".used")).to_have_text("Used: “Homework”")

    (conv,) = json.loads(export(page, "current", "json"))["conversations"]
    assert [d["title"] for d in conv["documents"]] == ["guide.pdf", "policy.docx"]
    conv |= {"id": "copy", "title": "Guide copy", "named": True}
    import_text(
        page,
        tmp_path,
        "copy.json",
        json.dumps({"format": "tabula.conversations", "version": 1, "conversations": [conv]}),
    )
    library(page).locator(".open").filter(has_text="Guide copy").click()
    expect(page.locator(".kept-docs")).to_contain_text("guide.pdf")
    page.locator("article.msg.model").nth(1).get_by_role("link", name="Open page 6 in the document").click()
    expect(page.locator(".doc-view mark")).to_contain_text(made.FOLLOW_UP_TEXT)
    page.get_by_role("link", name="Back to the chat").first.click()
