"""The Library over a FakeChatStore: load, save as the chat changes, partial saves, new, open,
rename, delete with undo, search; and LibraryControls over a real Chat and InferenceQueue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from tabula.chat.answering import Chat
from tabula.chat.conversations import INTERRUPTED, Conversation, from_record, to_record
from tabula.chat.library import PARTIAL_EVERY, Library
from tabula.chat.messages import FINAL_STATUSES, Message
from tabula.core.actions import MessagePut, Store
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tabula.models.catalog import ModelSpec
from tabula.ui.handlers.library import LibraryControls
from tests.aio import run
from tests.fakes import FakeChatStore, FakeEngineFactory, FakePainter

MODEL = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")
VOLCANOES = Conversation(
    "volcanoes", "Volcanoes lesson", 100.0, 110.0,
    (Message(1, "user", "Volcanoes lesson"), Message(2, "model", "Magma rises through the crust.")),
)  # fmt: skip
RIVERS = Conversation(
    "rivers", "Rivers lesson", 200.0, 210.0,
    (Message(1, "user", "Rivers lesson"), Message(2, "model", "Rivers carve valleys.")),
)  # fmt: skip


class Clock:
    """The Library's injected clock: time moves only when a test moves it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Rig:
    """A Library and LibraryControls wired to a FakeChatStore and a real Chat; spawn() schedules
    on the running loop and settle() awaits it all."""

    def __init__(self, chats: FakeChatStore | None = None, factory: FakeEngineFactory | None = None) -> None:
        self.store = Store(State(catalog=(MODEL,), model_id="tiny"))
        self.chats = chats or FakeChatStore()
        self.clock = Clock()
        self.tasks: list[asyncio.Future[None]] = []
        self.library = Library(self.store, self.chats, self.spawn, self.clock)
        self.factory = factory or FakeEngineFactory()
        self.chat = Chat(self.store, InferenceQueue(self.factory), FakePainter())
        self.chat.on_partial = self.library.partial
        self.actions = LibraryControls(self.chat, self.library).table()

    def spawn(self, work: Awaitable[None]) -> None:
        self.tasks.append(asyncio.ensure_future(work))

    async def settle(self, timeout: float = 5) -> None:
        """Await every spawned task (the chat's too), including those spawned meanwhile."""
        async with asyncio.timeout(timeout):
            while self.chat.tasks or not all(task.done() for task in self.tasks):
                await asyncio.gather(*self.tasks, *self.chat.tasks)
        for task in self.tasks:
            task.result()

    @property
    def shelf(self):
        return self.store.state.shelf

    @property
    def current(self) -> Conversation:
        conv = self.shelf.get(self.shelf.current)
        assert conv is not None
        return conv

    def ids(self) -> list[str]:
        return [c.id for c in self.shelf.conversations]

    def say(self, message_id: int, text: str, role: str = "user", status: str = "done") -> None:
        self.store.dispatch(MessagePut(Message(message_id, role, text, status)))


def saved(*convs: Conversation) -> FakeChatStore:
    chats = FakeChatStore()
    for conv in convs:
        run(chats.save(conv.id, to_record(conv)))
    chats.saves.clear()
    return chats


# ---- load -----------------------------------------------------------------------------------------


def test_load_without_records_opens_a_fresh_empty_conversation() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        await rig.settle()
        assert len(rig.shelf.conversations) == 1
        fresh = rig.current
        assert (fresh.title, fresh.messages, fresh.named, fresh.created) == ("New chat", (), False, 1000.0)
        assert rig.store.state.messages == () and rig.shelf.damaged == 0
        assert rig.chats.saves == []  # nothing to keep until something is said

    run(scenario())


def test_load_opens_the_most_recent_and_counts_damaged_records() -> None:
    async def scenario() -> None:
        chats = saved(VOLCANOES, RIVERS)
        chats.damage("broken")
        run(chats.save("other", {"v": 2, "id": "other"}))  # a future schema this version cannot read
        rig = Rig(chats)
        await rig.library.load()
        await rig.settle()
        assert rig.ids() == ["rivers", "volcanoes"]
        assert rig.shelf.current == "rivers" and rig.store.state.messages == RIVERS.messages
        assert rig.shelf.damaged == 2
        assert rig.current == RIVERS
        assert "broken" in chats.values and "other" in chats.values  # left as they were

    run(scenario())


def test_load_with_only_damaged_records_still_opens_a_conversation() -> None:
    async def scenario() -> None:
        chats = FakeChatStore()
        chats.damage("a")
        chats.damage("b", "null")
        rig = Rig(chats)
        await rig.library.load()
        assert rig.shelf.damaged == 2 and len(rig.shelf.conversations) == 1
        assert rig.current.messages == ()

    run(scenario())


# ---- saving as the chat changes -------------------------------------------------------------------


def test_a_new_message_saves_the_current_conversation_and_titles_it() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.clock.now = 1005.0
        rig.say(1, "  What is   a volcano? ")
        await rig.settle()
        conv = rig.current
        assert conv.title == "What is a volcano?" and conv.updated == 1005.0
        assert conv.messages == rig.store.state.messages
        assert rig.chats.saves == [cid]
        assert from_record(rig.chats.record(cid)) == conv  # the store holds exactly the shelf's copy
        rig.say(2, "A mountain that erupts.", role="model")
        await rig.settle()
        assert [m.text for m in from_record(rig.chats.record(cid)).messages] == [
            "  What is   a volcano? ",
            "A mountain that erupts.",
        ]

    run(scenario())


def test_a_real_chat_answer_is_saved_when_done() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        assert rig.chat.send("Hi there")
        await rig.settle()
        record = from_record(rig.chats.record(rig.shelf.current))
        assert [(m.role, m.text, m.status) for m in record.messages] == [
            ("user", "Hi there", "done"),
            ("model", "Hello there, friend.", "done"),
        ]
        assert record.title == "Hi there" and record == rig.current

    run(scenario())


def test_partial_saves_a_streaming_answer_at_most_once_per_interval() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.say(1, "Tell me a story")
        rig.say(2, "", role="model", status="streaming")
        await rig.settle()
        rig.chats.saves.clear()

        def stored_answer() -> dict:
            return rig.chats.record(cid)["messages"][1]  # type: ignore[index]

        rig.library.partial(2, "Once")
        await rig.settle()
        assert rig.chats.saves == [cid] and stored_answer()["text"] == "Once"
        assert stored_answer()["status"] == "streaming"
        rig.clock.now += PARTIAL_EVERY / 2
        rig.library.partial(2, "Once upon")
        rig.clock.now += PARTIAL_EVERY / 4
        rig.library.partial(2, "Once upon a")
        await rig.settle()
        assert rig.chats.saves == [cid] and stored_answer()["text"] == "Once"
        rig.clock.now += PARTIAL_EVERY / 4
        rig.library.partial(2, "Once upon a time")
        await rig.settle()
        assert rig.chats.saves == [cid, cid] and stored_answer()["text"] == "Once upon a time"
        assert rig.store.state.messages[1].text == ""  # the chat's own state is not touched

        # The browser is killed here: the next start finds the partial answer, stopped and marked.
        again = Rig(rig.chats)
        await again.library.load()
        answer = again.store.state.messages[1]
        assert (answer.status, answer.text, answer.note) == ("stopped", "Once upon a time", INTERRUPTED)

    run(scenario())


# ---- new, open, rename ----------------------------------------------------------------------------


def test_new_chat_keeps_the_old_conversation_and_starts_an_empty_one() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        old = rig.shelf.current
        rig.say(1, "Volcanoes lesson")
        rig.say(2, "Magma.", role="model")
        await rig.settle()
        kept = rig.current
        rig.clock.now += 10
        rig.actions["new-chat"]({})
        await rig.settle()
        assert rig.shelf.current != old and rig.current.messages == () and rig.store.state.messages == ()
        assert rig.shelf.get(old) == kept and len(kept.messages) == 2
        assert from_record(rig.chats.record(old)) == kept
        assert rig.ids() == [rig.shelf.current, old]

    run(scenario())


def test_new_chat_from_an_empty_one_does_not_pile_up_empty_conversations() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES))
        await rig.library.load()
        rig.actions["new-chat"]({})
        rig.clock.now += 1
        rig.actions["new-chat"]({})
        await rig.settle()
        assert len(rig.shelf.conversations) == 2 and rig.shelf.get("volcanoes") == VOLCANOES
        assert rig.current.messages == ()

    run(scenario())


def test_open_switches_the_chat_to_that_conversation() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["open-chat"]({"id": "volcanoes"})
        await rig.settle()
        assert rig.shelf.current == "volcanoes" and rig.store.state.messages == VOLCANOES.messages
        assert rig.ids() == ["rivers", "volcanoes"]  # opening is not a change
        assert rig.chats.saves == []
        rig.actions["open-chat"]({"id": "missing"})
        assert rig.shelf.current == "volcanoes"
        rig.actions["open-chat"]({"id": "rivers"})
        assert rig.store.state.messages == RIVERS.messages

    run(scenario())


def test_a_message_after_opening_goes_to_the_opened_conversation() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["open-chat"]({"id": "volcanoes"})
        rig.say(3, "And lava?")
        await rig.settle()
        assert rig.chats.saves == ["volcanoes"]
        assert [m.text for m in rig.shelf.get("volcanoes").messages][-1] == "And lava?"  # type: ignore[union-attr]
        assert rig.shelf.get("rivers") == RIVERS and rig.ids() == ["volcanoes", "rivers"]

    run(scenario())


def test_rename_names_the_conversation_and_later_messages_keep_the_name() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["start-rename"]({"id": "rivers"})
        assert rig.shelf.renaming == "rivers"
        rig.actions["rename-chat"]({"id": "rivers", "title": "  Geography:\n  rivers "})
        await rig.settle()
        assert rig.shelf.renaming == ""
        assert (rig.current.title, rig.current.named) == ("Geography: rivers", True)
        assert rig.chats.record("rivers")["title"] == "Geography: rivers"  # type: ignore[index]
        rig.say(3, "Something else entirely")
        await rig.settle()
        assert rig.current.title == "Geography: rivers"
        again = Rig(rig.chats)
        await again.library.load()
        assert (again.current.title, again.current.named) == ("Geography: rivers", True)

    run(scenario())


# ---- delete, undo, search -------------------------------------------------------------------------


def test_delete_removes_from_store_and_shelf_and_undo_restores_both() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["delete-chat"]({"id": "volcanoes"})
        await rig.settle()
        assert rig.ids() == ["rivers"] and "volcanoes" not in rig.chats.values
        assert rig.shelf.deleted == VOLCANOES
        assert rig.shelf.current == "rivers" and rig.store.state.messages == RIVERS.messages
        rig.actions["undo-delete"]({})
        await rig.settle()
        assert rig.ids() == ["rivers", "volcanoes"] and rig.shelf.deleted is None
        assert from_record(rig.chats.record("volcanoes")) == VOLCANOES

    run(scenario())


def test_deleting_the_current_conversation_opens_a_new_empty_one() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["delete-chat"]({"id": "rivers"})
        await rig.settle()
        assert rig.shelf.current not in ("rivers", "volcanoes")
        assert rig.current.messages == () and rig.store.state.messages == ()
        assert rig.shelf.get("rivers") is None and "rivers" not in rig.chats.values
        assert rig.shelf.get("volcanoes") == VOLCANOES

    run(scenario())


def test_deleting_the_current_conversation_can_be_undone() -> None:
    """Delete offers Undo whichever conversation it was; the one on screen is no exception."""

    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["delete-chat"]({"id": "rivers"})
        await rig.settle()
        assert rig.shelf.deleted == RIVERS  # the view shows Undo only while this is set
        rig.actions["undo-delete"]({})
        await rig.settle()
        assert rig.shelf.get("rivers") == RIVERS
        assert from_record(rig.chats.record("rivers")) == RIVERS

    run(scenario())


def test_search_filters_the_listed_conversations() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.actions["search-chats"]({"q": "  MAGMA crust "})
        assert rig.shelf.query == "MAGMA crust" and rig.shelf.browsing
        assert [c.id for c in rig.library.listed()] == ["volcanoes"]
        rig.actions["search-chats"]({"q": "lesson"})
        assert [c.id for c in rig.library.listed()] == ["rivers", "volcanoes"]
        rig.actions["search-chats"]({"q": "glaciers"})
        assert rig.library.listed() == ()
        rig.actions["search-chats"]({})
        assert [c.id for c in rig.library.listed()] == ["rivers", "volcanoes"]
        assert len(rig.shelf.conversations) == 2  # searching hides, never removes

    run(scenario())


# ---- leaving an answer in progress ----------------------------------------------------------------


@pytest.mark.parametrize("leave", [("new-chat", {}), ("open-chat", {"id": "volcanoes"})], ids=["new", "open"])
def test_leaving_a_conversation_mid_answer_does_not_leave_it_spinning(leave: tuple[str, dict]) -> None:
    """New chat (or opening another) while an answer streams: the conversation left behind keeps
    that answer as stopped with its text, as a reload would show it, not streaming forever with no
    job behind it."""

    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=[f" w{i}" for i in range(200)], delay=0.005)
        rig = Rig(saved(VOLCANOES, RIVERS), factory=factory)
        await rig.library.load()
        rig.chat.send("Tell me a long story")
        while rig.store.state.messages[-1].status != "streaming":
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.03)
        action, data = leave
        rig.actions[action](data)
        await rig.settle()
        answer = rig.shelf.get("rivers").messages[-1]  # type: ignore[union-attr]
        assert answer.status in FINAL_STATUSES, f"the answer left behind is {answer.status!r}"
        assert answer.text.startswith(" w0 w1")
        rig.actions["open-chat"]({"id": "rivers"})
        assert rig.store.state.messages[-1].status in FINAL_STATUSES

    run(scenario())


def test_deleting_a_conversation_mid_answer_then_undo_restores_what_was_written() -> None:
    """Delete the conversation while its answer streams, then Undo: the restored chat shows the
    answer as stopped with its text (stored so too), and Regenerate asks again; nothing waits
    forever."""

    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=[f" w{i}" for i in range(200)], delay=0.005)
        rig = Rig(saved(VOLCANOES, RIVERS), factory=factory)
        await rig.library.load()
        rig.chat.send("Tell me a long story")
        while rig.store.state.messages[-1].status != "streaming":
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.03)
        rig.actions["delete-chat"]({"id": "rivers"})
        await rig.settle()
        rig.actions["undo-delete"]({})
        await rig.settle()
        rig.actions["open-chat"]({"id": "rivers"})
        answer = rig.store.state.messages[-1]
        assert answer.status == "stopped" and answer.text.startswith(" w0 w1"), answer
        stored = from_record(rig.chats.record("rivers")).messages[-1]
        assert (stored.status, stored.text, stored.note) == ("stopped", answer.text, "")
        rig.chat.regenerate()
        assert rig.store.state.messages[-1].status == "waiting"  # asked again
        await rig.settle()
        assert rig.store.state.messages[-1].status == "done"

    run(scenario())
