"""Answers see the conversation as it is when they run, belong to their conversation, and each
cloud request has its own cancel. What is asserted is what reached the engine or the network."""

from __future__ import annotations

import asyncio

import pytest

from tabula.chat.answering import Chat
from tabula.chat.conversations import Conversation, from_record, to_record
from tabula.chat.library import Library
from tabula.chat.messages import Message
from tabula.cloud.access import CloudSettings
from tabula.core.actions import ModelSelected, Store
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tabula.models.catalog import ModelSpec
from tabula.study.tools import StudyTools
from tabula.ui.handlers.library import LibraryControls
from tests.aio import run
from tests.fakes import FakeChatStore, FakeCloudClient, FakeEngineFactory, FakePainter, sse

TINY = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")
NEW = ModelSpec("new", "New", "gemma4", "./models/new.task", 1, "00", "embedded")
KEY = "AIzaSyD-test_Key0123456789abcdefghijX9Q2"
CLOUD = CloudSettings(key=KEY, private=False)


async def settle(chat: Chat, *more: object) -> None:
    for _ in range(200):
        if not chat.tasks:
            return
        await asyncio.gather(*chat.tasks, return_exceptions=True)
    raise AssertionError("the chat never settled")


async def until(condition, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


def local_chat(factory: FakeEngineFactory) -> tuple[Store, Chat, InferenceQueue]:
    store = Store(State(catalog=(TINY, NEW), model_id="tiny"))
    queue = InferenceQueue(factory)
    return store, Chat(store, queue, FakePainter()), queue


def cloud_chat(client: FakeCloudClient) -> tuple[Store, Chat]:
    store = Store(State(cloud=CLOUD))
    return store, Chat(store, InferenceQueue(), FakePainter(), client, "https://cloud.test")


def test_a_follow_up_sent_while_the_first_answer_streams_is_asked_with_that_answer() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=["Paris", " is", " the", " capital", "."], delay=0.01)
        store, chat, _queue = local_chat(factory)
        chat.send("Capital of France?")
        await until(lambda: store.state.messages[-1].status == "streaming")
        chat.send("And of Spain?")
        await settle(chat)
        second = factory.built[0].prompts[-1]
        assert "Paris is the capital." in second
        assert second.index("Capital of France?") < second.index("Paris is") < second.index("And of Spain?")
        assert [m.status for m in store.state.messages] == ["done"] * 4

    run(scenario())


def test_a_model_switch_while_an_answer_waits_renders_it_with_the_new_models_template() -> None:
    async def scenario() -> None:
        old = FakeEngineFactory(tokens=["Slow", " answer"], delay=0.25)  # still writing when the model is switched, however busy the machine
        new = FakeEngineFactory(tokens=["Hi"], family="gemma4")
        store, chat, queue = local_chat(old)
        chat.send("First")
        await until(lambda: store.state.messages[-1].status == "streaming")
        chat.send("Second")
        await asyncio.sleep(0.005)  # the second answer is queued behind the first
        store.dispatch(ModelSelected("new"))
        queue.use(new)
        await settle(chat)
        (prompt,) = new.built[0].prompts
        assert prompt.startswith("<|turn>system\n") and prompt.endswith("<|turn>model\n")
        assert "<|turn>model\nSlow answer<turn|>" in prompt and "<start_of_turn>" not in prompt

    run(scenario())


def test_a_cloud_follow_up_waits_for_the_first_answer_and_carries_it() -> None:
    async def scenario() -> None:
        client = FakeCloudClient()
        store, chat = cloud_chat(client)
        chat.send("Capital of France?")
        first = await client.next_call()
        first.send(sse("Paris"))
        await until(lambda: store.state.messages[-1].status == "streaming")
        chat.send("And of Spain?")
        with pytest.raises(TimeoutError):
            await client.next_call(timeout=0.05)  # nothing leaves while the first answer streams
        first.end()
        second = await client.next_call()
        assert second.turns() == [
            ("user", "Capital of France?"),
            ("model", "Paris"),
            ("user", "And of Spain?"),
        ]
        second.send(sse("Madrid"))
        second.end()
        await settle(chat)
        assert [m.text for m in store.state.messages] == [
            "Capital of France?",
            "Paris",
            "And of Spain?",
            "Madrid",
        ]

    run(scenario())


def test_stop_in_the_chat_leaves_a_quiz_request_in_flight_alone() -> None:
    async def scenario() -> None:
        client = FakeCloudClient()
        store, chat = cloud_chat(client)
        tools = StudyTools(store, chat.queue, client, "https://cloud.test", chat.tasks.spawn)
        tools.make({"topic": "volcanoes", "feature": "quiz"})
        quiz = await client.next_call()
        chat.send("Hello")
        answer = await client.next_call()
        answer.send(sse("Hi"))
        await until(lambda: store.state.messages[-1].status == "streaming")
        chat.stop()
        await until(lambda: store.state.messages[-1].status == "stopped")
        assert answer.cancelled and not quiz.cancelled
        quiz.end()
        await settle(chat)

    run(scenario())


def test_cancelling_one_waiting_cloud_answer_leaves_the_one_being_written() -> None:
    async def scenario() -> None:
        client = FakeCloudClient()
        store, chat = cloud_chat(client)
        chat.send("One")
        first = await client.next_call()
        first.send(sse("Un"))
        chat.send("Two")
        waiting = store.state.messages[-1]
        chat.cancel(waiting.id)
        first.send(sse("o"))
        first.end()
        await settle(chat)
        statuses = [(m.text, m.status) for m in store.state.messages]
        assert statuses == [("One", "done"), ("Uno", "done"), ("Two", "done"), ("", "cancelled")]
        assert not first.cancelled and len(client.calls) == 1

    run(scenario())


def saved(conversation_id: str, updated: float, *messages: Message) -> dict:
    return to_record(Conversation(conversation_id, conversation_id, 1.0, updated, messages))


class Ticking:
    """A clock two seconds later at every reading (so every partial save is due)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 2
        return self.now


def test_a_late_cloud_chunk_after_opening_another_conversation_stays_out_of_it() -> None:
    async def scenario() -> None:
        other = tuple(Message(i, "user" if i % 2 else "model", f"Old {i}") for i in range(1, 7))
        chats = FakeChatStore()
        await chats.save("old", saved("old", 2.0, *other))
        await chats.save(
            "recent", saved("recent", 3.0, Message(1, "user", "Hi"), Message(2, "model", "Hello"))
        )
        client = FakeCloudClient(late=True)
        store, chat = cloud_chat(client)
        painter = chat.painter
        assert isinstance(painter, FakePainter)
        library = Library(store, chats, chat.tasks.spawn, Ticking())
        chat.on_partial = library.partial
        await library.load()
        controls = LibraryControls(chat, library)
        chat.send("New question")  # in "recent": its answer's id is 4, like "Old 4" in "old"
        call = await client.next_call()
        call.send(sse("Partial"))
        await until(lambda: store.state.messages[-1].status == "streaming")
        call.send(sse(" and late"))  # read by the network before the user switched
        controls.open({"id": "old"})
        painted: list[tuple[int, str]] = []
        painter.show = lambda message_id, text: painted.append((message_id, text))  # type: ignore[method-assign]
        await settle(chat)
        assert store.state.messages == other
        assert from_record(chats.record("old")).messages == other  # what is stored is untouched
        assert painted == []  # nothing painted over the old conversation's answer
        left = from_record(chats.record("recent")).messages[-1]
        assert left.text.startswith("Partial") and left.status == "stopped"

    run(scenario())
