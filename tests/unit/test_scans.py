"""Scanned PDF pages read as pictures (issue #24), over the real Chat, InferenceQueue, Library and
Starters with fakes of the reader worker, the media store and the engine: where a model on this
device reads photos the sentence offers to read the pages that are images; on that press each
page is drawn, kept a moment as a photo, given to the model with the fixed request (its image
placeholder in the prompt, the picture as its media), and its text becomes that page's section,
marked as read from a picture; progress shows with a Cancel that is obeyed; a Cancel or a failure
keeps nothing (no picture left stored, the document as it was); where no model here can, the
sentence names the catalogue's model that would."""

from __future__ import annotations

import asyncio

import pytest

from tabula.chat import documents, scans
from tabula.chat.answering import Chat
from tabula.chat.library import Library
from tabula.core.actions import ModelSelected, RouteChanged, Store
from tabula.core.router import Route
from tabula.core.state import State
from tabula.engine.errors import EngineError, Problem
from tabula.engine.queue import InferenceQueue
from tabula.media.attachments import Attachment
from tabula.models.catalog import ModelSpec
from tabula.prefs.generation import Settings
from tabula.ui.handlers.followups import COMPOSER
from tabula.ui.handlers.starters import Starters
from tabula.ui.views import documents as document_view
from tabula.ui.views.library import notice as notice_view
from tests.aio import run
from tests.fakes import FakeChatStore, FakeDocuments, FakeEngineFactory, FakeMediaStore, FakePage, FakePainter

TINY = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")
SEEING = ModelSpec(
    "seeing", "Seeing Gemma", "gemma4", "./models/seeing/", 1, "", "embedded", format="onnx",
    inputs=("image", "audio"),
)  # fmt: skip
FAR = ModelSpec(
    "far", "Far Gemma", "gemma4", "https://h/far/", 9, "", "catalogue", format="onnx", inputs=("image",)
)
GUIDE = ["Malaria testing: use the rapid test first.", "", "", "Oral rehydration: one sachet a litre."]
BOX = "document-text"


class Files:
    def __init__(self, pages: list[str], broken: tuple[int, ...] = ()) -> None:
        self.documents, self.media = FakeDocuments(pages, broken), FakeMediaStore()


class Rig:
    def __init__(self, pages: list[str] = GUIDE, model: str = "seeing", catalog=(TINY, SEEING), **kw) -> None:
        self.factory = FakeEngineFactory(family="gemma4" if model == "seeing" else "gemma3", **kw)
        settings = Settings(max_tokens=512, system_prompt="Be brief.")
        self.store = Store(State(catalog=catalog, model_id=model, settings=settings))
        self.chat = Chat(self.store, InferenceQueue(self.factory), FakePainter())
        self.library = Library(self.store, FakeChatStore(), self.chat.tasks.spawn)
        self.notices: list[tuple[str, str]] = []
        self.page, self.files, self.switched = FakePage(), Files(pages), []
        self.starters = Starters(
            self.store, self.chat, self.chat.queue, self.library, self.files, self.page, lambda: None,  # type: ignore[arg-type]
            lambda kind, text: self.notices.append((kind, text)), self.switch,
        )  # fmt: skip
        self.files.documents.on_render = self._page_text

    def switch(self, model_id: str) -> None:
        """As the Models page's Switch to: the model is the one in use now."""
        self.switched.append(model_id)
        self.store.dispatch(ModelSelected(model_id))

    def _page_text(self, page: int) -> None:
        """The engine will read this page's picture as "Text of page N." (a model reading it)."""
        for engine in self.factory.built:
            engine.tokens = ["Text", " of", f" page {page}."]
        self.factory.engine_options["tokens"] = ["Text", " of", f" page {page}."]

    async def settle(self) -> None:
        while self.chat.tasks:
            await asyncio.gather(*self.chat.tasks)

    def press(self, action: str) -> None:
        self.starters.table()[action]({})

    @property
    def shown(self) -> tuple[str, str]:
        return self.store.state.shelf.notice

    @property
    def prompts(self) -> list[str]:
        return [p for engine in self.factory.built for p in engine.prompts]


def test_who_reads_pictures_the_model_in_use_first_else_one_here_else_a_catalogue_one_by_name() -> None:
    ready = lambda m: m.source == "embedded"  # noqa: E731
    assert scans.readers(SEEING, (TINY, SEEING), ready) == scans.Readers(SEEING, "Seeing Gemma")
    assert scans.readers(TINY, (TINY, SEEING, FAR), ready).reader is SEEING
    assert scans.readers(TINY, (TINY, FAR), ready) == scans.Readers(None, "Far Gemma")
    assert scans.readers(TINY, (TINY,), ready) == scans.Readers(None, "")
    picture = Attachment("m1-aa", "image", "image/jpeg", "scan-page-1.jpg", 100, 724, 1024)
    asked = scans.asked("gemma4", picture)
    assert asked == f"<|turn>user\n<|image|>{scans.ASK}<turn|>\n<|turn>model\n"
    with pytest.raises(ValueError):
        scans.asked("gemma3", picture)


def test_a_scan_is_refused_naming_the_model_that_would_unless_one_here_can_read_it() -> None:
    with pytest.raises(documents.DocumentProblem) as problem:
        documents.from_pdf("scan.pdf", ["", " "], could="Far Gemma")
    assert str(problem.value) == (
        "scan.pdf has no text to read: pages 1–2 are images (a scan). Far Gemma could read them as "
        "pictures: add it on the Models page."
    )
    with pytest.raises(documents.DocumentProblem, match="Gemma 4 E2B could read it as a picture"):
        documents.from_pdf("scan.pdf", [""])
    doc = documents.from_pdf("scan.pdf", ["", ""], readable=True)
    assert doc.sections == () and doc.scanned == (1, 2) and doc.pages == 2


def test_text_read_from_pictures_becomes_those_pages_sections_and_is_kept_marked() -> None:
    doc = documents.from_pdf("guide.pdf", GUIDE)
    read = documents.with_pictures(doc, {2: "  Amoxicillin:\n\n\n25 mg per kg ", 3: " "})
    assert [s.label for s in read.sections] == ["1", "2", "4"]
    assert read.sections[1].text == "Amoxicillin:\n\n25 mg per kg"
    assert read.scanned == (3,) and read.pictured == (2,)
    back = documents.from_dict(documents.to_dict(read))
    assert back == read and documents.from_dict(documents.to_dict(doc)).pictured == ()


def test_opening_a_pdf_with_image_pages_offers_to_read_them_with_the_model_in_use() -> None:
    async def scenario() -> Rig:
        rig = Rig()
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        return rig

    rig = run(scenario())
    assert rig.shown == (
        "offer",
        "Opened guide.pdf (4 pages). Pages 2–3 are images. It stays on this device.",
    )
    assert rig.store.state.shelf.offer == "Read pages 2–3 as pictures with Seeing Gemma"
    html = notice_view(rig.store.state.shelf)
    assert (
        '<button type="button" data-action="read-scans">Read pages 2–3 as pictures with Seeing Gemma</button>'
        in html
    )
    assert (
        rig.page.filled[BOX]
        == "Malaria testing: use the rapid test first.\n\nOral rehydration: one sachet a litre."
    )


def test_each_page_goes_to_the_model_as_a_picture_and_its_text_becomes_the_page() -> None:
    async def scenario() -> Rig:
        rig = Rig()
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        rig.press("read-scans")
        await rig.settle()
        return rig

    rig = run(scenario())
    engine = rig.factory.built[0]
    assert rig.files.documents.drawn == [2, 3] and rig.files.documents.ended >= 1
    assert (
        engine.prompts == [f"<|turn>user\n<|image|>{scans.ASK}<turn|>\n<|turn>model\n"] * 2
    )  # no system prompt
    pictures = engine.media
    assert [len(m) for m in pictures] == [1, 1] and all(m[0].kind == "image" for m in pictures)
    assert engine.exact == [True, True]  # transcribed greedily, not with the chat's sampling
    assert [(m[0].width, m[0].height, m[0].name) for m in pictures] == [
        (724, 1024, "guide-page-2.jpg"), (724, 1024, "guide-page-3.jpg"),
    ]  # fmt: skip
    assert rig.files.media.stored == {}  # every picture deleted once read
    assert ("busy", "Reading guide.pdf as pictures: page 1 of 2…") in rig.notices
    assert ("busy", "Reading guide.pdf as pictures: page 2 of 2…") in rig.notices
    assert rig.notices[-1] == (
        "ok",
        "Seeing Gemma read the text of pages 2–3 of guide.pdf. A model can misread: check what matters "
        "against the page.",
    )
    doc = rig.starters.opener.document(BOX, rig.page.filled[BOX])
    assert [(s.label, s.text) for s in doc.sections] == [
        ("1", GUIDE[0]), ("2", "Text of page 2."), ("3", "Text of page 3."), ("4", GUIDE[3]),
    ]  # fmt: skip
    assert doc.pictured == (2, 3) and doc.scanned == ()


def test_a_page_read_from_a_picture_is_kept_with_the_conversation_and_marked_in_the_document_view() -> None:
    async def scenario() -> Rig:
        rig = Rig()
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        rig.press("read-scans")
        await rig.settle()
        rig.starters.ask_document({"text": rig.page.filled[BOX], "question": "What is on page 3?"})
        await rig.settle()
        return rig

    rig = run(scenario())
    conv = rig.library.shelf.get(rig.library.shelf.current)
    assert conv is not None and [d.pictured for d in conv.documents] == [(2, 3)]
    asked = rig.store.state.messages[0]
    assert "[page 3]\nText of page 3." in rig.prompts[-1]
    rig.store.dispatch(RouteChanged(Route("doc", f"{conv.id}/{asked.id}/0")))
    _title, html, _ = document_view.page(rig.store.state)
    assert "Read from a picture of the page by a model: it can misread." in html


def test_cancel_stops_the_page_being_read_and_keeps_nothing() -> None:
    async def scenario() -> Rig:
        rig = Rig(hang_after=1)
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        before = rig.page.filled[BOX]
        rig.press("read-scans")
        while not rig.prompts:
            await asyncio.sleep(0.01)
        assert rig.notices[-1] == ("busy", "Reading guide.pdf as pictures: page 1 of 2…")
        rig.press("cancel-reading")  # the busy notice's Cancel
        rig.factory.built[0].destroy()  # the stopped page ends (a real engine stops at once)
        await rig.settle()
        assert rig.page.filled[BOX] == before
        return rig

    rig = run(scenario())
    assert rig.notices[-1] == ("ok", "Stopped reading the pictures. Nothing was kept.")
    assert rig.files.documents.drawn == [2] and rig.files.documents.ended >= 1  # page 3 never drawn
    assert len(rig.prompts) == 1 and rig.files.media.stored == {}
    assert rig.starters.opener.document(BOX, rig.page.filled[BOX]).scanned == (2, 3)


def test_cancel_while_a_page_is_drawn_ends_the_worker_and_asks_no_model() -> None:
    async def scenario() -> Rig:
        rig = Rig()
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        rig.files.documents.gate = asyncio.Event()
        rig.press("read-scans")
        await asyncio.sleep(0.05)
        rig.press("cancel-reading")
        await rig.settle()
        return rig

    rig = run(scenario())
    assert rig.notices[-1] == ("ok", "Stopped reading the pictures. Nothing was kept.")
    assert rig.prompts == [] and rig.files.documents.drawn == [] and rig.files.media.stored == {}


def test_a_page_that_cannot_be_drawn_gets_one_sentence_and_nothing_is_kept() -> None:
    async def scenario() -> Rig:
        rig = Rig()
        rig.files.documents.broken = (3,)
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        before = rig.page.filled[BOX]
        rig.press("read-scans")
        await rig.settle()
        assert rig.page.filled[BOX] == before
        return rig

    rig = run(scenario())
    assert rig.notices[-1] == (
        "error",
        "Page 3 of guide.pdf could not be read as a picture. The page could not be drawn. Nothing was kept.",
    )
    assert len(rig.prompts) == 1 and rig.files.media.stored == {}
    assert rig.starters.opener.opened[BOX].pictured == ()


def test_without_a_model_here_that_reads_pictures_the_sentence_names_the_one_that_would() -> None:
    async def scenario() -> Rig:
        rig = Rig(model="tiny", catalog=(TINY, FAR))
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        rig.files.documents.pages = ["", ""]
        await rig.starters.open_note("summary-text", "scan.pdf")
        return rig

    rig = run(scenario())
    assert next(n for n in rig.notices if n[0] == "ok") == (
        "ok",
        "Opened guide.pdf (4 pages). Left out: pages 2–3 are images. Far Gemma could read them as "
        "pictures: add it on the Models page. It stays on this device.",
    )
    assert rig.notices[-1] == (
        "error",
        "scan.pdf has no text to read: pages 1–2 are images (a scan). Far Gemma could read them as "
        "pictures: add it on the Models page.",
    )
    assert rig.store.state.shelf.offer == "" and "summary-text" not in rig.page.filled


def test_a_scan_added_in_the_composer_is_kept_once_read_by_the_model_switched_to() -> None:
    async def scenario() -> Rig:
        rig = Rig(pages=["", ""], model="tiny")
        rig.factory.engine_options["family"] = "gemma4"  # what loads after the switch
        await rig.library.load()
        await rig.starters.open_note(COMPOSER, "scan.pdf")
        conv = rig.library.shelf.get(rig.library.shelf.current)
        assert conv is not None and conv.documents == ()  # all images: nothing kept yet
        assert rig.shown == (
            "offer",
            "Opened scan.pdf (2 pages). Pages 1–2 are images. It stays on this device. Tabula "
            "switches to Seeing Gemma to read them.",
        )
        rig.press("read-scans")
        await rig.settle()
        assert rig.switched == ["seeing"]
        return rig

    rig = run(scenario())
    conv = rig.library.shelf.get(rig.library.shelf.current)
    assert conv is not None and len(conv.documents) == 1
    doc = conv.documents[0]
    assert [s.text for s in doc.sections] == ["Text of page 1.", "Text of page 2."] and doc.pictured == (1, 2)


def test_a_page_too_large_for_the_context_says_so_and_the_pages_read_before_it_are_not_kept() -> None:
    async def scenario() -> Rig:
        rig = Rig()
        await rig.library.load()
        await rig.starters.open_note(BOX, "guide.pdf")
        too_long = EngineError(Problem.PROMPT_TOO_LONG, "input is too long: 420 tokens")
        rig.files.documents.on_render = lambda page: (
            page == 3 and setattr(rig.factory.built[0], "fail_with", too_long)
        )
        rig.press("read-scans")
        await rig.settle()
        return rig

    rig = run(scenario())
    assert rig.notices[-1] == (
        "error",
        "Page 3 of guide.pdf could not be read as a picture. The picture and the request do not fit in "
        "the model's context: raise Max tokens in Settings if the model allows. Nothing was kept.",
    )
    assert rig.starters.opener.opened[BOX].scanned == (2, 3) and rig.files.media.stored == {}
