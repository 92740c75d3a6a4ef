"""Which model an engine is built from, and Settings reaching the next answer, over the real
engine factory, Models, SettingsControls, Chat and InferenceQueue, with FakeCreateEngine (a
FakeEngine whose options are fixed at creation, as in MediaPipe 0.10.29)."""

from __future__ import annotations

import contextlib

import pytest

from tabula.chat.answering import Chat
from tabula.core.actions import EngineStatusChanged, Store
from tabula.core.state import State
from tabula.engine.errors import EngineError, Problem
from tabula.engine.queue import InferenceQueue
from tabula.models.catalog import ModelSpec
from tabula.models.fit import GB, DeviceReport
from tabula.models.selection import Models, engine_factory
from tabula.ui.app import App
from tabula.ui.handlers.chat import ChatControls
from tabula.ui.handlers.settings import SettingsControls
from tests.aio import run
from tests.fakes import FakeCreateEngine, FakeKeyValueStore, FakePage, FakePainter, FakeUpdates

GEMMA4 = ModelSpec(
    "gemma-4-e2b", "Gemma 4 E2B", "gemma4",
    "https://huggingface.co/litert-community/gemma-4-E2B-it/resolve/main/gemma-4-E2B-it-web.task",
    2_000_000_000, "ab" * 32, "catalogue",
)  # fmt: skip
TINY = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")
FORM = {"temperature": "0.8", "top_k": "40", "max_tokens": "1024", "seed": "0", "system_prompt": ""}


def wire(state: State, create: FakeCreateEngine):
    """The parts main.py wires, over fakes: store, queue, Models, Chat and the App's handlers."""
    store = Store(state)
    queue = InferenceQueue(on_status=lambda s, d: store.dispatch(EngineStatusChanged(str(s), d)))
    kv, painter = FakeKeyValueStore(), FakePainter()
    models = Models(store, kv, queue, engine_factory(store, kv, create))
    chat = Chat(store, queue, painter)
    handlers = {
        **ChatControls(FakePage(), chat).table(),
        **SettingsControls(store, queue, kv, chat.tasks.spawn).table(),
    }
    app = App(store, FakePage(hash_="#/settings"), FakeUpdates(), handlers, painter)
    app.start()
    return app, store, models, chat


async def settle(chat: Chat) -> None:
    """Wait for the handlers' work and for every engine op queued so far."""
    await chat.tasks.settle()
    with contextlib.suppress(EngineError):  # NO_MODEL, when there is none
        await chat.queue.count("queued last: everything before it has run")


def test_with_no_model_on_the_device_settings_only_save_and_nothing_is_loaded() -> None:
    """The shipped catalogue, nothing downloaded: Save and Restore defaults load nothing."""

    async def scenario() -> None:
        create = FakeCreateEngine()
        app, store, models, chat = wire(State(catalog=(GEMMA4,), model_id=GEMMA4.id), create)
        models.start()
        app.on_action("save-settings", {**FORM, "max_tokens": "512"})
        app.on_action("save-settings", {**FORM, "max_tokens": "512", "temperature": "0.3"})
        app.on_action("reset-settings", {})
        models.reload()
        await settle(chat)
        assert create.calls == []  # no engine was asked to load anything, least of all the URL
        assert store.state.engine_status == "no-model" and store.state.trouble == ""
        assert store.state.settings_notice == "Defaults restored."

    run(scenario())


def test_the_engine_factory_loads_only_a_stored_or_embedded_model() -> None:
    async def scenario() -> None:
        create, kv = FakeCreateEngine(), FakeKeyValueStore()
        store = Store(State(catalog=(GEMMA4, TINY), model_id=GEMMA4.id))
        factory = engine_factory(store, kv, create)
        with pytest.raises(EngineError) as caught:
            await factory()
        assert caught.value.problem is Problem.NO_MODEL and create.calls == []
        store = Store(State(catalog=(GEMMA4, TINY), model_id=GEMMA4.id, ready=frozenset({GEMMA4.id})))
        await engine_factory(store, kv, create)()
        store = Store(State(catalog=(GEMMA4, TINY), model_id=TINY.id))
        await engine_factory(store, kv, create)()
        assert [(url, stored) for url, stored, _label, _options in create.calls] == [
            ("", GEMMA4.id),  # the verified copy on this device, never its remote URL
            ("./models/tiny.task", ""),  # the site's own copy
        ]

    run(scenario())


def answer(app: App, store: Store, text: str) -> str:
    app.on_action("send", {"message": text})
    return store.state.messages[-1].id


def text_of(store: Store, message_id: int) -> str:
    return next(m.text for m in store.state.messages if m.id == message_id)


def test_a_new_seed_temperature_or_top_k_reaches_the_next_answer_without_a_reload() -> None:
    """Same seed, same answer; new seed, new answer; no page reload, no setOptions (which
    0.10.29 refuses): each change builds the engine anew from the embedded model."""

    async def scenario() -> None:
        create = FakeCreateEngine(tokens=[f" w{i}" for i in range(8)])
        app, store, models, chat = wire(State(catalog=(TINY,), model_id=TINY.id), create)
        models.start()
        texts = []
        for seed in ("7", "8", "7"):
            app.on_action("save-settings", {**FORM, "temperature": "1.5", "seed": seed})
            await settle(chat)
            message_id = answer(app, store, "Tell me a story")
            await settle(chat)
            texts.append(text_of(store, message_id))
        assert texts[0] == texts[2] != texts[1]
        assert sorted(texts[0].split()) == [f"w{i}" for i in range(8)]
        assert [options["randomSeed"] for *_, options in create.calls][-3:] == [7, 8, 7]
        assert all(engine.options == [] for engine in create.built)  # setOptions never tried
        app.on_action("save-settings", {**FORM, "temperature": "0", "seed": "7"})
        await settle(chat)
        message_id = answer(app, store, "Tell me a story")
        await settle(chat)
        assert text_of(store, message_id) == "".join(f" w{i}" for i in range(8))  # greedy now

    run(scenario())


def test_settings_that_cannot_be_applied_say_so() -> None:
    async def scenario() -> None:
        create = FakeCreateEngine()
        app, store, models, chat = wire(State(catalog=(TINY,), model_id=TINY.id), create)
        models.start()
        await settle(chat)
        create.fail_with = EngineError(Problem.DEVICE_TOO_SMALL, "out of memory")
        app.on_action("save-settings", {**FORM, "top_k": "5"})
        await chat.tasks.settle()
        assert store.state.trouble.startswith("The new settings could not be applied: ")
        assert "not have enough graphics memory" in store.state.trouble
        assert store.state.settings.top_k == 5  # saved all the same

    run(scenario())


LITERTLM = ModelSpec(
    "gemma-4-e2b-lm", "Gemma 4 E2B (.litertlm)", "gemma4",
    "https://mirror.school.example/models/gemma-4-E2B-it-web.litertlm", 2_000_000_000, "cd" * 32, "catalogue",
)  # fmt: skip


def test_a_low_memory_device_loads_a_litertlm_model_with_disable_rewinding() -> None:
    """A 4 GB tablet keeps long contexts lean (disableRewinding); an 8 GB one keeps fast
    rewinding; a .task bundle never gets the option (0.10.29 refuses it for that format)."""

    async def load(model: ModelSpec, memory: int | None) -> dict[str, float | int]:
        create = FakeCreateEngine()
        state = State(catalog=(model,), model_id=model.id, ready=frozenset({model.id}),
                      device=DeviceReport(webgpu=True, memory=memory))  # fmt: skip
        await engine_factory(Store(state), FakeKeyValueStore(), create)()
        return create.calls[-1][3]

    async def scenario() -> None:
        assert (await load(LITERTLM, 4 * GB))["disableRewinding"] is True
        assert "disableRewinding" not in await load(LITERTLM, 8 * GB)
        assert "disableRewinding" not in await load(LITERTLM, None)  # unknown: as before
        assert "disableRewinding" not in await load(GEMMA4, 2 * GB)  # a .task bundle

    run(scenario())


def test_the_factory_runs_a_gguf_model_on_the_cpu_engine_and_the_rest_on_mediapipe() -> None:
    """ModelSpec.runtime picks the engine: a stored .gguf goes to wllama (create_cpu), a .task
    to MediaPipe, each with the same source rules and the template family set on the engine."""

    async def scenario() -> None:
        gpu, cpu, kv = FakeCreateEngine(), FakeCreateEngine(), FakeKeyValueStore()
        gguf = ModelSpec("file-small", "small.gguf", "gemma3", "", 1, "00", "imported")
        ready = frozenset({gguf.id, GEMMA4.id})
        store = Store(State(catalog=(GEMMA4, gguf), model_id=gguf.id, ready=ready))
        engine = await engine_factory(store, kv, gpu, cpu)()
        assert [(url, stored, label) for url, stored, label, _ in cpu.calls] == [("", gguf.id, "small.gguf")]
        assert gpu.calls == [] and engine.family == "gemma3"
        store = Store(State(catalog=(GEMMA4, gguf), model_id=GEMMA4.id, ready=ready))
        await engine_factory(store, kv, gpu, cpu)()
        assert [stored for _, stored, _, _ in gpu.calls] == [GEMMA4.id] and len(cpu.calls) == 1
        store = Store(State(catalog=(GEMMA4, gguf), model_id=gguf.id, ready=ready))
        with pytest.raises(EngineError):  # no CPU engine wired: never hand a GGUF to MediaPipe
            await engine_factory(store, kv, gpu)()
        assert len(gpu.calls) == 1

    run(scenario())
