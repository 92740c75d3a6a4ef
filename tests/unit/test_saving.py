"""Saves are durable, or the user is told: a refused save (storage full, or any other failure)
shows on the chat page, the chat goes on, nothing blocks later saves, and the next save that
succeeds clears the message. Two saves of one conversation in flight end with the newest stored.
Conversation ids are unique even when two tabs start a chat in the same millisecond."""

from __future__ import annotations

import re

from tabula.chat.archive import read_import
from tabula.chat.conversations import from_record
from tabula.chat.export import export_json
from tabula.chat.library import Library
from tabula.chat.messages import Message
from tabula.chat.ports import SaveFailed
from tabula.core.actions import MessagePut, StorageMeasured, Store
from tabula.core.state import State
from tabula.models.transfers import Quota
from tabula.ui.views.chat import page
from tests.aio import run
from tests.unit.test_library import RIVERS, VOLCANOES, Clock, Rig, saved

FULL = (
    "Could not save this conversation: storage is full. Free some space (for example, delete a "
    "model you do not use); Tabula keeps trying."
)


def notices(rig: Rig) -> str:
    """The chat page's notice line, as the user sees it (tags stripped)."""
    _title, _skeleton, regions = page(rig.store.state)
    return re.sub(r"<[^>]+>", "", regions["notice"])


def stored_texts(rig: Rig, cid: str) -> list[tuple[str, str]]:
    return [(m.text, m.status) for m in from_record(rig.chats.record(cid)).messages]


def test_a_save_refused_for_a_full_storage_says_so_the_chat_goes_on_and_the_next_save_clears_it() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.chats.full = True
        rig.say(1, "Plan a lesson on volcanoes")
        await rig.settle()  # the failure is the library's to report: no task ends in an error
        assert rig.chats.refused == [cid] and cid not in rig.chats.values
        assert FULL in notices(rig)
        assert rig.chat.send("And one on rivers?")  # the chat keeps working
        await rig.settle()
        assert rig.store.state.messages[-1].text == "Hello there, friend." and FULL in notices(rig)
        rig.chats.full = False  # the user deleted a model
        rig.say(rig.store.state.messages[-1].id + 1, "Thanks")  # after the others, as the app's ids are
        await rig.settle()
        assert stored_texts(rig, cid) == [
            ("Plan a lesson on volcanoes", "done"), ("And one on rivers?", "done"),
            ("Hello there, friend.", "done"), ("Thanks", "done"),
        ]  # fmt: skip
        assert "Could not save" not in notices(rig)

    run(scenario())


def test_any_other_refused_save_says_what_went_wrong_and_does_not_block_the_next() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.chats.fail_next(SaveFailed("UnknownError: the disk could not be written"))
        rig.say(1, "First")
        await rig.settle()
        shown = notices(rig)
        assert "Could not save this conversation" in shown and "the disk could not be written" in shown
        assert "storage is full" not in shown
        rig.say(2, "Second")
        await rig.settle()
        assert stored_texts(rig, cid) == [("First", "done"), ("Second", "done")]
        assert "Could not save" not in notices(rig)

    run(scenario())


def test_freeing_space_saves_what_was_refused_without_waiting_for_the_next_change() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.chats.full = True
        rig.say(1, "Keep me")
        await rig.settle()
        assert FULL in notices(rig)
        rig.chats.full = False
        rig.store.dispatch(StorageMeasured(Quota(10_000_000, 1_000)))  # after a model was deleted
        await rig.settle()
        assert stored_texts(rig, cid) == [("Keep me", "done")]
        assert "Could not save" not in notices(rig)

    run(scenario())


def test_a_refused_save_of_another_conversation_is_still_told_after_switching() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        rig.chats.full = True
        rig.say(3, "One more river question")
        await rig.settle()
        rig.library.open("volcanoes")
        await rig.settle()
        shown = notices(rig)
        assert "Could not save 1 conversation: storage is full." in shown and FULL not in shown

    run(scenario())


def test_a_partial_save_still_in_flight_never_overwrites_the_final_answer() -> None:
    """The once-a-second save of a streaming answer is slow to commit; the answer ends and its
    final save starts meanwhile: what stays stored is the final answer."""

    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.say(1, "Tell me a story")
        rig.say(2, "", role="model", status="streaming")
        await rig.settle()
        slow = rig.chats.hold()
        rig.clock.now += 5
        rig.library.partial(2, "Once")  # suspended in the store
        rig.store.dispatch(MessagePut(Message(2, "model", "Once upon a time.", "done")))
        for _ in range(5):
            await rig.chats.load()  # let the final save run as far as it can
        slow.set()
        await rig.settle()
        assert stored_texts(rig, cid) == [("Tell me a story", "done"), ("Once upon a time.", "done")]

    run(scenario())


def test_undo_while_the_delete_is_still_in_flight_keeps_the_conversation() -> None:
    async def scenario() -> None:
        rig = Rig(saved(VOLCANOES, RIVERS))
        await rig.library.load()
        slow = rig.chats.hold()
        rig.library.delete("volcanoes")
        rig.library.undo()
        for _ in range(5):
            await rig.chats.load()
        slow.set()
        await rig.settle()
        assert from_record(rig.chats.record("volcanoes")) == VOLCANOES

    run(scenario())


def test_a_partial_save_after_the_answer_ended_does_not_store_the_older_text() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        cid = rig.shelf.current
        rig.say(1, "Tell me a story")
        rig.say(2, "Once upon a time.", role="model", status="done")
        await rig.settle()
        rig.clock.now += 5
        rig.library.partial(2, "Once")  # a late tick of the streaming answer
        await rig.settle()
        assert stored_texts(rig, cid) == [("Tell me a story", "done"), ("Once upon a time.", "done")]

    run(scenario())


def test_two_tabs_starting_a_chat_in_the_same_millisecond_get_different_ids() -> None:
    async def scenario() -> None:
        store_a, store_b = Store(State()), Store(State())
        a = Library(store_a, saved(), lambda work: None, Clock(1000.0))
        b = Library(store_b, saved(), lambda work: None, Clock(1000.0))
        await a.load()
        await b.load()
        first, second = store_a.state.shelf.current, store_b.state.shelf.current
        assert first != second
        assert re.fullmatch(r"c[0-9a-f]{32}", first)
        conv = store_a.state.shelf.get(first)
        assert conv is not None
        imported = read_import(export_json([conv], 2000.0), {"elsewhere"}, 2000.0)
        assert [c.id for c in imported.conversations] == [first] and imported.renamed == 0

    run(scenario())
