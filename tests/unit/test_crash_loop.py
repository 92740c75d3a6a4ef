"""Issue #23: a load that never finished (a renderer killed by it, on a 4 GB tablet) is not
started again at the next start: the app says what happened and names a smaller model."""

from __future__ import annotations

import asyncio

import pytest

from tabula.core.actions import EngineStatusChanged, Store
from tabula.core.state import State
from tabula.engine.errors import EngineError, Problem
from tabula.engine.queue import InferenceQueue
from tabula.models.catalog import ModelSpec
from tabula.models.fit import GB, DeviceReport
from tabula.models.selection import LOADING_KEY, Models, engine_factory
from tests.aio import run
from tests.fakes import FakeCreateEngine, FakeKeyValueStore

BIG = ModelSpec(
    "big", "Gemma 4 E2B", "gemma4", "https://example.org/e2b.task", 2 * GB, "ab" * 32, "catalogue"
)
SMALL = ModelSpec(
    "small", "Gemma 3 1B", "gemma3", "https://example.org/1b.task", int(0.7 * GB), "cd" * 32, "catalogue"
)
DEVICE = DeviceReport(webgpu=True, vendor="acme", architecture="x", f16=True, max_buffer=2 * GB,
                      max_storage_binding=2 * GB, memory=8 * GB, quota=64 * GB, usage=0)  # fmt: skip


def wire(kv: FakeKeyValueStore, create: FakeCreateEngine) -> tuple[Store, InferenceQueue, Models]:
    state = State(catalog=(BIG, SMALL), model_id="big", ready=frozenset({"big", "small"}), device=DEVICE)
    store = Store(state)
    queue = InferenceQueue(on_status=lambda s, d: store.dispatch(EngineStatusChanged(str(s), d)))
    return store, queue, Models(store, kv, queue, engine_factory(store, kv, create))


def test_a_load_is_recorded_while_it_runs_and_cleared_when_it_ends() -> None:
    async def scenario() -> None:
        kv, create = FakeKeyValueStore(), FakeCreateEngine()
        store, _queue, _models = wire(kv, create)
        seen: list[str | None] = []

        async def recording(*args) -> object:  # what a renderer killed mid-load leaves behind
            seen.append(kv.get(LOADING_KEY))
            return await create(*args)

        await engine_factory(store, kv, recording)()
        assert seen == ["big"] and not kv.get(LOADING_KEY)
        create.fail_with = EngineError(Problem.INVALID_MODEL)  # a load that fails cleanly is no crash
        with pytest.raises(EngineError):
            await engine_factory(store, kv, create)()
        assert not kv.get(LOADING_KEY)

    run(scenario())


def test_after_a_load_that_never_finished_the_next_start_does_not_load_it_and_says_so() -> None:
    async def scenario() -> None:
        kv, create = FakeKeyValueStore(), FakeCreateEngine()
        kv.set(LOADING_KEY, "big")  # the last start died while loading it
        store, queue, models = wire(kv, create)
        models.start(boot=True)
        await asyncio.sleep(0.05)
        assert create.calls == []  # not loaded again
        assert store.state.trouble == (
            "Loading Gemma 4 E2B did not finish last time: this device may not have enough memory "
            "for it, so it was not loaded again. Choose a smaller model in Models, such as Gemma 3 1B, "
            "or choose it there again to retry."
        )
        assert not kv.get(LOADING_KEY)  # one warning; choosing it again retries
        models.start(boot=True)  # the start after that loads as usual
        await queue.count("x")
        assert [call[2] for call in create.calls] == ["Gemma 4 E2B"]

    run(scenario())


def test_a_page_left_normally_mid_load_loads_as_usual_at_the_next_start() -> None:
    """A reload or a closed tab while a model loads (pagehide) is no crash: no warning next time."""

    async def scenario() -> None:
        kv, create = FakeKeyValueStore(), FakeCreateEngine()
        kv.set(LOADING_KEY, "big")  # the load was running when the page went away...
        store, queue, models = wire(kv, create)
        models.left()  # ...normally
        models.start(boot=True)
        await queue.count("x")
        assert [call[2] for call in create.calls] == ["Gemma 4 E2B"] and not store.state.trouble

    run(scenario())
