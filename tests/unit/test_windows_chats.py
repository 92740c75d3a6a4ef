"""Two windows of one origin share one IndexedDB: what one saves, the other hears (BroadcastChannel)
and keeps, so neither overwrites the other's conversations."""

from __future__ import annotations

import asyncio

from tabula.chat.answering import Chat
from tabula.chat.conversations import from_record
from tabula.chat.library import Library
from tabula.core.actions import Store
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tabula.models.catalog import ModelSpec
from tests.aio import run
from tests.fakes import FakeBroadcast, FakeChatStore, FakeEngineFactory, FakePainter

TINY = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")


class Window:
    def __init__(self, chats: FakeChatStore, hub: FakeBroadcast) -> None:
        self.store = Store(State(catalog=(TINY,), model_id="tiny"))
        self.tasks: list[asyncio.Future] = []
        self.library = Library(self.store, chats, lambda work: self.tasks.append(asyncio.ensure_future(work)))
        self.library.broadcast = hub.window(self.library.heard)
        self.chat = Chat(self.store, InferenceQueue(FakeEngineFactory()), FakePainter())
        self.chat.on_partial = self.library.partial

    async def settle(self) -> None:
        for _ in range(50):
            await asyncio.sleep(0.01)
            await asyncio.gather(*self.tasks, *self.chat.tasks)


def test_a_conversation_continued_in_two_windows_keeps_both_windows_messages() -> None:
    async def scenario() -> None:
        chats, hub = FakeChatStore(), FakeBroadcast()
        first, second = Window(chats, hub), Window(chats, hub)
        await first.library.load()
        first.chat.send("Asked in the first window")
        await first.settle()
        await second.library.load()  # opens the same (most recent) conversation
        first.chat.send("Asked again in the first window")
        await first.settle()
        await second.settle()
        second.chat.send("Asked in the second window")
        await second.settle()
        await first.settle()
        stored = from_record(chats.record(first.library.shelf.current))
        asked = [m.text for m in stored.messages if m.role == "user"]
        assert asked == [
            "Asked in the first window",
            "Asked again in the first window",
            "Asked in the second window",
        ]
        assert [m.text for m in first.store.state.messages] == [m.text for m in stored.messages]

    run(scenario())


def test_a_conversation_started_in_one_window_is_listed_in_the_other_at_once() -> None:
    async def scenario() -> None:
        chats, hub = FakeChatStore(), FakeBroadcast()
        first, second = Window(chats, hub), Window(chats, hub)
        await first.library.load()
        await second.library.load()
        first.chat.send("A lesson on volcanoes")
        await first.settle()
        await second.settle()
        titles = [c.title for c in second.library.shelf.conversations]
        assert "A lesson on volcanoes" in titles

    run(scenario())


def test_a_conversation_deleted_in_one_window_leaves_the_other() -> None:
    async def scenario() -> None:
        chats, hub = FakeChatStore(), FakeBroadcast()
        first, second = Window(chats, hub), Window(chats, hub)
        await first.library.load()
        first.chat.send("Soon gone")
        await first.settle()
        await second.library.load()
        gone = first.library.shelf.current
        second.library.new()  # the second window shows another conversation
        first.library.delete(gone)
        await first.settle()
        await second.settle()
        assert second.library.shelf.get(gone) is None and gone not in chats.values

    run(scenario())


def test_one_conversation_written_in_two_windows_at_once_keeps_every_message() -> None:
    """Both windows ask in the same conversation while the first's answer is still being written
    (saved once a second, then whole): the store and both screens end with all four messages."""

    async def scenario() -> None:
        chats, hub = FakeChatStore(), FakeBroadcast()
        first, second = Window(chats, hub), Window(chats, hub)
        first.chat.queue = InferenceQueue(FakeEngineFactory(tokens=[f" w{i}" for i in range(40)], delay=0.01))
        await first.library.load()
        first.chat.send("Asked in the first window")
        await first.settle()
        await second.library.load()  # opens the same (most recent) conversation
        first.chat.send("Asked again in the first window")  # its answer streams for a while
        await asyncio.sleep(0.05)
        second.chat.send("Asked in the second window")
        await second.settle()
        await first.settle()
        await second.settle()
        stored = from_record(chats.record(first.library.shelf.current))
        asked = sorted(m.text for m in stored.messages if m.role == "user")
        assert asked == ["Asked again in the first window", "Asked in the first window", "Asked in the second window"]
        assert len(stored.messages) == 6 and all(m.status == "done" for m in stored.messages)
        for window in (first, second):
            assert window.store.state.messages == stored.messages

    run(scenario())


def test_an_answer_regenerated_in_one_window_does_not_come_back_from_the_other() -> None:
    """Regenerate replaces the last answer: the window that still holds the old one must not put
    it back (the stored conversation, and both screens, have one answer to the question)."""

    async def scenario() -> None:
        chats, hub = FakeChatStore(), FakeBroadcast()
        first, second = Window(chats, hub), Window(chats, hub)
        await first.library.load()
        first.chat.send("Tell me about rivers")
        await first.settle()
        await second.library.load()
        await second.settle()
        old = first.store.state.messages[-1].id
        first.chat.regenerate()
        await first.settle()
        await second.settle()
        await first.settle()
        stored = from_record(chats.record(first.library.shelf.current))
        for messages in (stored.messages, first.store.state.messages, second.store.state.messages):
            assert [m.role for m in messages] == ["user", "model"], messages
            assert old not in [m.id for m in messages]
        second.chat.send("And lakes?")
        await second.settle()
        await first.settle()
        stored = from_record(chats.record(first.library.shelf.current))
        assert [m.role for m in stored.messages] == ["user", "model", "user", "model"]
        assert old not in [m.id for m in stored.messages + first.store.state.messages]

    run(scenario())
