"""Later questions in a conversation that keeps documents (issue #24): a plain question sent from
the composer goes with the best passages of the conversation's documents (BM25, sized with the
engine's own tokenizer, the older question's passages left out of the history), a question that
shares no word with them and a conversation with none go as typed; the composer's Add a document
keeps a file with the conversation (a bad one nothing); a reference opens the document view on
its page with the passages highlighted. Over the real Chat, InferenceQueue, Library, Starters
and ChatControls, with FakeEngine (its tokenizer counts words)."""

from __future__ import annotations

import asyncio

from tabula.chat import documents, retrieval
from tabula.chat.answering import Chat
from tabula.chat.library import Library
from tabula.chat.messages import Message
from tabula.core.actions import RouteChanged, Store
from tabula.core.router import Route, parse, to_hash
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tabula.i18n import translate as i18n
from tabula.prefs.generation import Settings
from tabula.ui.handlers.chat import ChatControls
from tabula.ui.handlers.starters import Starters
from tabula.ui.views import documents as document_view
from tabula.ui.views.chat import page as chat_page
from tabula.ui.views.messages import bubble
from tests import documents as made
from tests.aio import run
from tests.fakes import FakeChatStore, FakeEngineFactory, FakePage, FakePainter
from tests.unit.test_chat import MODEL
from tests.unit.test_document_opener import FakeReader, Files

TOKENS = 512  # prompt and answer, in the fake tokenizer's words
FOLLOW_UP = made.FOLLOW_UP
GUIDE = documents.from_pdf("guide.pdf", [*made.GUIDE, ""])


class Rig:
    def __init__(self, reader: FakeReader | None = None, tokens: int = TOKENS) -> None:
        self.factory = FakeEngineFactory(tokens=["Give", " 25 mg", " per kg."])
        self.store = Store(
            State(catalog=(MODEL,), model_id="tiny", settings=Settings(max_tokens=tokens, system_prompt=""))
        )
        self.chat = Chat(self.store, InferenceQueue(self.factory), FakePainter())
        self.library = Library(self.store, FakeChatStore(), self.chat.tasks.spawn)
        self.notices: list[tuple[str, str]] = []
        self.page = FakePage()
        files = Files(reader or FakeReader())
        self.starters = Starters(
            self.store, self.chat, self.chat.queue, self.library, files, self.page, lambda: None,  # type: ignore[arg-type]
            lambda kind, text: self.notices.append((kind, text)),
        )  # fmt: skip
        self.controls = ChatControls(self.page, self.chat, None, self.starters.notice, self.starters)

    async def settle(self) -> None:
        while self.chat.tasks:
            await asyncio.gather(*self.chat.tasks)

    async def ask_guide(self) -> None:
        """The use case: Ask about a document, on the guide (kept with the conversation)."""
        await self.library.load()
        self.starters.opener.opened["document-text"] = GUIDE
        self.starters.ask_document({"text": GUIDE.text, "question": made.QUESTION})
        await self.settle()

    @property
    def prompts(self) -> list[str]:
        return self.factory.built[0].prompts


def test_a_follow_up_is_asked_with_the_page_that_answers_it_and_the_older_passages_left_out() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.ask_guide()
        assert "[page 4]" in rig.prompts[0]
        rig.controls.send({"message": FOLLOW_UP})
        assert rig.page.composer_cleared == 1
        await rig.settle()
        prompt = rig.prompts[-1]
        assert f"[page 6]\n{made.FOLLOW_UP_TEXT}" in prompt, prompt
        assert made.QUESTION in prompt and made.ANSWER_TEXT not in prompt  # the first question, alone
        assert "Give 25 mg per kg." in prompt  # its answer stays in the history
        assert len(prompt.split()) <= TOKENS - TOKENS // 4  # it fits, measured with the tokenizer
        asked, answer = rig.store.state.messages[-2:]
        back = retrieval.read_back(asked.text)
        assert back is not None and back.question == FOLLOW_UP and back.source == "guide.pdf"
        assert retrieval.where(back) == "page 6" and answer.status == "done"

    run(scenario())


def test_on_a_small_context_the_passages_come_before_the_history() -> None:
    """A share of the tiny model's context left a few words of the page ("measles at nine")."""

    async def scenario() -> None:
        rig = Rig(tokens=160)
        await rig.ask_guide()
        rig.controls.send({"message": FOLLOW_UP})
        await rig.settle()
        assert "measles at nine months, and the booster at eighteen months." in rig.prompts[-1]
        assert len(rig.prompts[-1].split()) <= 160 - 160 // 4

    run(scenario())


def test_a_follow_up_sent_while_an_answer_is_written_says_it_waits_then_goes_with_its_page() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.factory.engine_options["delay"] = 0.01
        await rig.library.load()
        rig.library.keep_document(GUIDE)
        rig.controls.send({"message": made.QUESTION})
        while not rig.chat.answers:
            await asyncio.sleep(0.001)
        rig.controls.send({"message": FOLLOW_UP})
        await asyncio.sleep(0)
        assert rig.notices[-1] == ("ok", "Your question goes as soon as the answer being written ends.")
        await rig.settle()
        first, second = (m.text for m in rig.store.state.messages if m.role == "user")
        assert "[page 4]" in first and f"[page 6]\n{made.FOLLOW_UP_TEXT}" in second
        assert [m.status for m in rig.store.state.messages if m.role == "model"] == ["done", "done"]

    run(scenario())


def test_without_a_document_or_a_shared_word_the_message_goes_as_typed() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        rig.controls.send({"message": "What is the measles vaccine?"})  # no document kept here
        await rig.settle()
        assert rig.store.state.messages[0].text == "What is the measles vaccine?"
        assert "passages" not in rig.prompts[-1]

        rig = Rig()
        await rig.ask_guide()
        rig.controls.send({"message": "Thanks!"})
        await rig.settle()
        assert rig.store.state.messages[-2].text == "Thanks!"
        assert "[page 4]" in rig.prompts[-1]  # the newest question about it keeps its passages

    run(scenario())


def test_a_document_added_in_the_composer_is_kept_and_the_next_question_uses_it() -> None:
    async def scenario() -> None:
        rig = Rig(FakeReader(pages=[*made.GUIDE, ""]))
        await rig.library.load()
        await rig.starters.open_note("composer", "guide.pdf")
        conv = rig.library.shelf.get(rig.library.shelf.current)
        assert conv is not None and [d.title for d in conv.documents] == ["guide.pdf"]
        assert rig.notices[-1] == (
            "ok",
            "Opened guide.pdf (7 pages). Left out: page 7 is an image. Gemma 4 E2B could read it as a "
            "picture: add it on the Models page. It stays on this device. Your next questions in this "
            "conversation use it.",
        )
        assert "guide.pdf" in chat_page(rig.store.state)[2]["kept"]
        rig.controls.send({"message": made.QUESTION})
        await rig.settle()
        assert "[page 4]\nAmoxicillin dosage" in rig.prompts[-1]

        bad = Rig(FakeReader(error="PasswordException"))
        await bad.library.load()
        await bad.starters.open_note("composer", "locked.pdf")
        assert bad.notices[-1][1].startswith("locked.pdf is protected by a password.")
        assert bad.library.shelf.get(bad.library.shelf.current).documents == ()  # type: ignore[union-attr]

    run(scenario())


def test_each_reference_opens_the_document_view_on_its_page_with_the_passages_highlighted() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.ask_guide()
        conv_id = rig.library.shelf.current
        asked, answer = rig.store.state.messages
        link = document_view.link(conv_id, asked.id, 0)
        assert parse(link) == Route("doc", f"{conv_id}/{asked.id}/0") and to_hash(parse(link)) == link
        log = dict(chat_page(rig.store.state)[2]["log"])
        assert (
            f'<a class="ref" href="{link}" aria-label="Open page 4 in the document">page 4</a>'
            in log[f"m{answer.id}"]
        )
        assert f'href="{link}"' in log[f"m{asked.id}"]  # the passage's heading too

        rig.store.dispatch(RouteChanged(parse(link)))
        title, view, _regions = document_view.page(rig.store.state)
        assert title == "guide.pdf: Page 4 of 7" and '<p class="doc-where">Page 4 of 7</p>' in view
        assert "<mark data-reveal>Amoxicillin dosage: 25 mg per kg of body weight" in view
        assert "Malaria" not in view and 'href="#/chat"' in view  # that page only, and the way back
        assert document_view.flowing("a PDF\nline\n\nNext") == "a PDF line\n\nNext"  # as PDF.js cuts it

        rig.library.drop_document(0)
        assert "not in a document kept" in document_view.page(rig.store.state)[1]
        log = dict(chat_page(rig.store.state)[2]["log"])
        assert "<a " not in log[f"m{answer.id}"]  # no document kept: the pages are plain text

    run(scenario())


def test_the_used_line_follows_the_language() -> None:
    """It was cached in the first language it was shown in ("Usado: page 4")."""
    asked = Message(1, "user", retrieval.ask(GUIDE, made.QUESTION, 1500))
    answer = Message(2, "model", "25 mg per kg.", status="done")
    assert "Used: page 4" in bubble(answer, "ready", asked)
    i18n.use("es")
    try:
        assert "Usado: página 4" in bubble(answer, "ready", asked)
    finally:
        i18n.use("en")
