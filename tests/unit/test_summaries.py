"""Summaries of long documents (issue #24): a 60-page PDF longer than the tiny model's context is
cut into parts sized with the engine's own tokenizer, summarized part by part in page order,
then the summaries combined until one is left, marked with the pages it covers; Stop mid-way
ends the whole summary, keeps what was summarized (and says which pages) and no part is asked
after it. Over the real Chat, InferenceQueue and Starters handler, with FakeEngine (its
tokenizer counts words)."""

from __future__ import annotations

import asyncio
import re

from tabula.chat import documents
from tabula.chat import mapreduce as summary
from tabula.chat.answering import Chat
from tabula.chat.library import Library
from tabula.chat.mapreduce import Summary
from tabula.core.actions import Store
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tabula.prefs.generation import Settings
from tabula.ui.handlers.starters import Starters
from tests.aio import run
from tests.fakes import FakeChatStore, FakeEngineFactory, FakePage, FakePainter
from tests.unit.test_chat import MODEL

FILLER = "Every visit is written in the child's health card and the nurse checks the weight. "
PAGES = [f"Report page {n}. " + FILLER * 3 for n in range(1, 61)]
TOKENS = 1024  # the tiny model's context (prompt and answer)


def report() -> documents.Document:
    return documents.from_pdf("report.pdf", PAGES)


def make(factory: FakeEngineFactory) -> tuple[Store, Chat, Starters, list]:
    store = Store(
        State(catalog=(MODEL,), model_id="tiny", settings=Settings(max_tokens=TOKENS, system_prompt=""))
    )
    chat, notices = Chat(store, InferenceQueue(factory), FakePainter()), []
    library = Library(store, FakeChatStore(), chat.tasks.spawn)
    starters = Starters(
        store, chat, chat.queue, library, None, FakePage(), lambda: None, lambda k, t: notices.append((k, t))
    )  # type: ignore[arg-type]
    starters.opener.opened["summary-text"] = report()  # as DocumentOpener.open leaves it
    return store, chat, starters, notices


async def settle(chat: Chat) -> None:
    while chat.tasks:
        await asyncio.gather(*chat.tasks)


def test_parts_are_consecutive_pages_that_fit_in_order() -> None:
    parts = summary.chunks(report(), 1500)
    assert all(len(p.text) <= 1500 for p in parts) and len(parts) > 10
    assert [n for p in parts for n in p.pages] == list(range(1, 61))  # each page once, in order
    assert parts[0].text.startswith("Report page 1.") and summary.where(parts[:2]).startswith("pages 1–")
    a, b, c = (Summary(t, (p,)) for t, p in zip(("x" * 600, "y" * 600, "z" * 600), parts, strict=False))
    assert summary.groups([a, b, c], 1300) == [[a, b], [c]]  # at least two a group, while they fit


def test_a_60_page_pdf_is_summarized_part_by_part_then_combined_with_the_pages_it_covers() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=["- a", " point"])
        store, chat, starters, notices = make(factory)
        starters.summarize({"text": report().text})
        await settle(chat)
        engine = factory.built[0]
        maps = [p for p in engine.prompts if "Summarize this part of report.pdf" in p]
        firsts = [int(re.search(r"\(pages? (\d+)", p).group(1)) for p in maps]
        assert len(maps) >= 4 and firsts == sorted(firsts) and firsts[0] == 1  # in page order
        assert all(len(p.split()) <= TOKENS - TOKENS // 4 for p in engine.prompts)  # each fits
        reduces = engine.prompts[len(maps) :]
        assert reduces and all(p.count("Combine these summaries of parts of report.pdf") for p in reduces)
        asked, answer = store.state.messages
        assert asked.text == "Summarize report.pdf (pages 1–60)." and answer.status == "done"
        assert answer.text == "**Pages 1–60 of report.pdf: summary**\n\n- a point", answer.text
        assert notices[-1] == ("", "")

    run(scenario())


def test_stop_ends_the_whole_summary_and_keeps_the_parts_done() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=["- a", " point"] * 40, delay=0.002)
        store, chat, starters, _notices = make(factory)
        starters.summarize({"text": report().text})
        while not factory.built or len(factory.built[0].prompts) < 3:
            await asyncio.sleep(0.005)
        while "Summarizing part 3 of" not in chat.answers[max(chat.answers)].text:
            await asyncio.sleep(0.001)
        chat.stop()
        await settle(chat)
        await asyncio.sleep(0.05)
        assert len(factory.built[0].prompts) == 3  # nothing asked after Stop
        answer = store.state.messages[-1]
        assert answer.status == "stopped"
        head = re.match(
            r"\*Stopped: 2 of (\d+) parts summarized \(pages 1–(\d+)\)\.\*\n\n\*\*Pages 1–", answer.text
        )
        assert head and int(head.group(1)) >= 4, answer.text
        assert answer.text.count("**Pages") == 2  # the two parts summarized, each under its pages

    run(scenario())


def test_stop_between_two_parts_asks_no_more() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=["- a", " point"])
        store, chat, starters, _notices = make(factory)
        starters.summarize({"text": report().text})
        while not chat.answers or chat.answers[max(chat.answers)].job is None:
            await asyncio.sleep(0.001)
        answer = chat.answers[max(chat.answers)]
        await answer.job.done  # the first part is done; the second not yet asked
        chat.stop()
        await settle(chat)
        assert len(factory.built[0].prompts) <= 2 and store.state.messages[-1].status == "stopped"

    run(scenario())
