"""An answer the cloud service cut at its token limit (finishReason MAX_TOKENS) says so and goes
on with Continue, as a device answer does (issue #23). The fake cloud client holds each request
until the test answers it, piece by piece, like the network."""

from __future__ import annotations

import asyncio
import json

from tabula.chat.answering import Chat
from tabula.chat.conversations import from_record
from tabula.chat.in_cloud import GO_ON, joined
from tabula.chat.library import Library
from tabula.cloud.access import CloudSettings
from tabula.core.actions import Store
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tests.aio import run
from tests.fakes import FakeChatStore, FakeCloudClient, FakeEngineFactory, FakePainter, sse


def cloud_chat() -> tuple[Chat, Store, FakeCloudClient]:
    cloud = FakeCloudClient()
    store = Store(State(catalog=(), model_id="", cloud=CloudSettings(key="k", private=False)))
    return Chat(store, InferenceQueue(FakeEngineFactory()), FakePainter(), cloud, "https://g"), store, cloud


def turns(call) -> list[tuple[str, str]]:
    return [(c["role"], c["parts"][-1]["text"]) for c in json.loads(call.request.body)["contents"]]


async def answer(chat: Chat, cloud: FakeCloudClient, *events: str):
    call = await cloud.next_call()
    for event in events:
        call.send(event)
    call.end()
    await asyncio.gather(*chat.tasks)
    return call


def test_a_cloud_answer_cut_at_the_token_limit_is_marked_and_continue_goes_on_in_the_same_answer() -> None:
    async def scenario() -> None:
        chat, store, cloud = cloud_chat()
        chat.send("Tell me about rivers")
        await answer(chat, cloud, sse("Rivers flow"), sse(" to the", finish="MAX_TOKENS"))
        cut = store.state.messages[-1]
        assert (cut.status, cut.cut, cut.text) == ("done", True, "Rivers flow to the")
        chat.go_on()
        call = await answer(chat, cloud, sse("sea, always."), sse("", finish="STOP"))
        assert turns(call) == [
            ("user", "Tell me about rivers"),
            ("model", "Rivers flow to the"),
            ("user", GO_ON),
        ]
        (_, whole) = store.state.messages
        assert (whole.id, whole.status, whole.cut, whole.text) == (
            cut.id,
            "done",
            False,
            "Rivers flow to the sea, always.",
        )

    run(scenario())


def test_a_cloud_continuation_that_fails_leaves_the_answer_as_it_was_with_the_reason() -> None:
    async def scenario() -> None:
        chat, store, cloud = cloud_chat()
        chat.send("Tell me about rivers")
        await answer(chat, cloud, sse("Rivers flow", finish="MAX_TOKENS"))
        chat.go_on()
        await answer(chat, cloud, "data: {not json}\n\n")
        (_, kept) = store.state.messages
        assert (kept.status, kept.cut, kept.text) == ("done", True, "Rivers flow")
        assert kept.error == "The cloud service sent an answer Tabula could not read. Try again."

    run(scenario())


def test_a_cloud_answer_that_ends_normally_is_not_marked_cut() -> None:
    async def scenario() -> None:
        chat, store, cloud = cloud_chat()
        chat.send("Hi")
        await answer(chat, cloud, sse("Hello.", finish="STOP"))
        assert (store.state.messages[-1].status, store.state.messages[-1].cut) == ("done", False)

    run(scenario())


def test_the_continuation_joins_words_with_a_space_and_keeps_punctuation_tight() -> None:
    assert joined("Rivers flow", "to the sea") == "Rivers flow to the sea"
    assert joined("Rivers flow ", "to") == "Rivers flow to"
    assert joined("Rivers flow", ", always") == "Rivers flow, always"
    assert joined("", "Rivers") == "Rivers"


def test_continue_is_kept_by_the_saved_conversation_and_not_undone_by_the_copy_saved_before_it() -> None:
    """With the library keeping the conversation (as in the app), Continue's streaming answer is
    not taken for an older copy of the ended one: the whole text is on screen and saved."""

    async def scenario() -> None:
        chat, store, cloud = cloud_chat()
        chats, tasks = FakeChatStore(), []
        library = Library(store, chats, lambda work: tasks.append(asyncio.ensure_future(work)))
        chat.on_partial = library.partial
        await library.load()
        chat.send("Tell me about rivers")
        await answer(chat, cloud, sse("Rivers flow to the", finish="MAX_TOKENS"))
        chat.go_on()
        assert store.state.messages[-1].status == "streaming"
        await answer(chat, cloud, sse("sea.", finish="STOP"))
        await asyncio.gather(*tasks)
        shown = store.state.messages[-1]
        assert (shown.status, shown.cut, shown.text) == ("done", False, "Rivers flow to the sea.")
        saved = from_record(chats.record(library.shelf.current)).messages[-1]
        assert (saved.status, saved.cut, saved.text) == ("done", False, "Rivers flow to the sea.")

    run(scenario())
