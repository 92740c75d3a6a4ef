"""Composition root: read the build's config, build the browser adapters, wire everything, start.

The only core module that names browser/ adapters (imported inside run(), so CPython can
import this module for tests); everything it wires is a port.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from tabula import settings as settings_store
from tabula.actions import MODEL_KEY, Controls
from tabula.app import App
from tabula.chat import Chat
from tabula.loading import create_fitting
from tabula.ports import KeyValueStore
from tabula.queue import EngineFactory, InferenceQueue
from tabula.store import (
    DeviceProbed,
    EngineStatusChanged,
    ModelInfo,
    ModelLimitFound,
    ModelSelected,
    State,
    Store,
)

CONFIG = Path("config.json")
LIMIT_KEY = "tabula.limit."
_tasks: set[asyncio.Task] = set()


def initial_state(config: dict, kv: KeyValueStore) -> State:
    """The State before any event, from config.json and what this device saved."""
    catalog = tuple(ModelInfo(**record) for record in config["catalog"])
    saved = kv.get(MODEL_KEY)
    model_id = saved if any(m.id == saved for m in catalog) else (catalog[0].id if catalog else "")
    return State(
        version=config["version"],
        runtime=tuple(sorted(config["runtime"].items())),
        catalog=catalog,
        model_id=model_id,
        model_limit=saved_limit(kv, catalog, model_id),
        settings=settings_store.load(kv),
    )


def saved_limit(kv: KeyValueStore, catalog: tuple[ModelInfo, ...], model_id: str) -> int | None:
    """The model's token limit: learned on this device, else from the catalogue."""
    raw = kv.get(LIMIT_KEY + model_id) if model_id else None
    if raw and raw.isdigit():
        return int(raw)
    return next((m.max_tokens for m in catalog if m.id == model_id), None)


def engine_factory(
    store: Store, kv: KeyValueStore, genai_path: str, on_lost: Callable[[str], None]
) -> EngineFactory:
    """Loads the selected model with the current settings, learning its token limit."""
    from tabula.browser.engine import MediaPipeEngine

    async def factory():
        state = store.state
        model = state.model
        assert model is not None, "a factory exists only once a model is chosen"

        def found(limit: int) -> None:
            kv.set(LIMIT_KEY + model.id, str(limit))
            store.dispatch(ModelLimitFound(limit))

        options = state.settings.engine_options(state.model_limit)
        create = lambda opts: MediaPipeEngine.create(genai_path, model.url, model.label, opts, on_lost)  # noqa: E731
        return await create_fitting(create, options, found)

    return factory


async def run() -> None:
    """Boot the app in the browser; any failure becomes a readable error state."""
    from tabula.browser.dom import BrowserPage, listen
    from tabula.browser.painter import FramePainter
    from tabula.browser.storage import LocalStore
    from tabula.browser.sw import ServiceWorkerUpdates

    page = BrowserPage()
    try:
        config, kv = json.loads(CONFIG.read_text()), LocalStore()
        store = Store(initial_state(config, kv))
        queue = InferenceQueue(on_status=lambda s, d: store.dispatch(EngineStatusChanged(str(s), d)))
        factory = engine_factory(store, kv, config["paths"]["genai"], queue.device_lost)
        painter = FramePainter()
        chat = Chat(store, queue, painter)

        def use_model(model_id: str) -> None:
            store.dispatch(ModelSelected(model_id, saved_limit(kv, store.state.catalog, model_id)))
            queue.use(factory)
            queue.preload()

        def reload_engine() -> None:
            queue.use(factory)
            queue.preload()

        controls = Controls(store, page, chat, queue, kv, use_model, reload_engine)
        updates = await ServiceWorkerUpdates.connect()
        app = App(store, page, updates, controls.table(), painter)
        listen(app)
        updates.on_waiting(app.on_update_waiting)
        app.start()
        chat.background(report_device(store))
        if store.state.model is not None:
            use_model(store.state.model_id)
    except Exception as error:
        page.set_boot_state("error", f"{type(error).__name__}: {error}")
        raise


async def report_device(store: Store) -> None:
    """Measure the device once (WebGPU adapter, memory, storage) for the Models page."""
    from tabula.browser.probe import probe

    store.dispatch(DeviceProbed(await probe()))


def start() -> None:
    """Schedule run() on PyScript's event loop (never blocks, never asyncio.run)."""
    task = asyncio.ensure_future(run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
