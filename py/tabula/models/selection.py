"""Which model the engine runs: the models this device added, the token limit each is known to
take, the engine factory that loads the chosen one (lean on a low-memory device: models.fit's
lean_context), and Models (choose, reload, switch to a newly verified model).

A load is recorded (LOADING_KEY) while it runs and cleared when it ends, however it ends, and
when the page is left normally (`left()`, on pagehide: a reload mid-load is no crash); one still
recorded at the next start never finished: the tab died in it (a 2 GB model can get a renderer
killed on a 4 GB tablet), so that start does not load it again (no crash loop), says what
happened and names a smaller model that fits.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from tabula.core.actions import CatalogChanged, ModelLimitFound, ModelSelected, Store, TroubleReported
from tabula.core.ports import KeyValueStore
from tabula.engine.errors import EngineError, Problem
from tabula.engine.loading import create_fitting
from tabula.engine.ports import Engine
from tabula.engine.queue import EngineFactory, InferenceQueue
from tabula.i18n.translate import tr
from tabula.models.catalog import ModelSpec, from_records, to_json
from tabula.models.fit import lean_context, pick

if TYPE_CHECKING:
    from tabula.core.state import State

MODEL_KEY = "tabula.model"  # the model this device chose last
LIMIT_KEY = "tabula.limit."
ADDED_KEY = "tabula.models.added"
LOADING_KEY = "tabula.loading"  # the model being loaded now ("" or absent: none)


def added_models(kv: KeyValueStore) -> tuple[ModelSpec, ...]:
    """Models this device added (a custom URL, an imported file), as saved."""
    try:
        return from_records(json.loads(kv.get(ADDED_KEY) or "[]"))
    except (ValueError, TypeError):
        return ()


def remember(store: Store, kv: KeyValueStore, spec: ModelSpec) -> None:
    """Add or update a catalogue record; the device's own records are saved."""
    catalog = store.state.catalog
    known = any(m.id == spec.id for m in catalog)
    catalog = tuple(spec if m.id == spec.id else m for m in catalog) if known else (*catalog, spec)
    store.dispatch(CatalogChanged(catalog))
    kv.set(ADDED_KEY, to_json(tuple(m for m in catalog if m.source in ("custom", "imported"))))


def saved_limit(kv: KeyValueStore, catalog: tuple[ModelSpec, ...], model_id: str) -> int | None:
    """The model's token limit: learned on this device, else from the catalogue."""
    raw = kv.get(LIMIT_KEY + model_id) if model_id else None
    if raw and raw.isdigit():
        return int(raw)
    return next((m.max_tokens for m in catalog if m.id == model_id), None)


# create(url, stored id or "", label, engine options) -> an Engine (main.py binds MediaPipe's for
# "gpu" models and wllama's for "cpu" ones, i.e. GGUF files: ModelSpec.runtime).
# Exactly one of url and stored is given: the site's own copy of an embedded model, or the
# verified copy stored on this device. A remote (catalogue) URL is never handed over.
CreateEngine = Callable[[str, str, str, dict[str, float | int]], Awaitable[Engine]]
# The same for an ONNX model set ("onnx": Transformers.js), also given the set's file paths
# (its precisions decide the backend: engine/backend.py).
CreateSetEngine = Callable[[str, str, str, dict[str, float | int], tuple[str, ...]], Awaitable[Engine]]


def engine_for(
    model: ModelSpec, gpu: CreateEngine, cpu: CreateEngine | None, onnx: CreateSetEngine | None = None
) -> CreateEngine:
    """The engine that runs `model`: wllama (CPU) for a GGUF file, Transformers.js for an ONNX
    model set, else MediaPipe (WebGPU)."""
    if model.runtime == "onnx":
        if onnx is None:
            raise EngineError(Problem.UNKNOWN, f"no Transformers.js engine to run {model.id}")
        files = tuple(f.path for f in model.files)
        return lambda url, stored, label, options: onnx(url, stored, label, options, files)
    if model.runtime == "gpu":
        return gpu
    if cpu is None:
        raise EngineError(Problem.UNKNOWN, f"no CPU engine to run {model.id}")
    return cpu


def engine_source(state: State, model: ModelSpec) -> tuple[str, str]:
    """(url, stored) to load `model` from, or raise NO_MODEL: only a model verified on this
    device (its stored copy) or one embedded in the site is ever loaded, never a download."""
    if model.id in state.ready:
        return "", model.id
    if model.source == "embedded":
        return model.url, ""
    raise EngineError(Problem.NO_MODEL, f"{model.id} is neither stored on this device nor embedded")


def engine_factory(
    store: Store, kv: KeyValueStore, create_engine: CreateEngine, create_cpu: CreateEngine | None = None,
    create_onnx: CreateSetEngine | None = None,
) -> EngineFactory:  # fmt: skip
    """Loads the selected model with the current settings, learning its token limit, on the
    engine its runtime names (`create_engine` for "gpu", `create_cpu` for "cpu", `create_onnx`
    for "onnx")."""

    async def factory():
        state = store.state
        model = state.model
        assert model is not None, "a factory exists only once a model is chosen"

        def found(limit: int) -> None:
            kv.set(LIMIT_KEY + model.id, str(limit))
            store.dispatch(ModelLimitFound(limit))

        options = state.settings.engine_options(state.model_limit)
        if lean_context(state.device, model):
            options["disableRewinding"] = True  # far less memory for long contexts
        url, stored = engine_source(state, model)
        chosen = engine_for(model, create_engine, create_cpu, create_onnx)

        def create(opts: dict[str, float | int]):
            return chosen(url, stored, model.label, opts)

        kv.set(LOADING_KEY, model.id)  # still there at the next start: the tab died in this load
        try:
            engine = await create_fitting(create, options, found)
        finally:
            kv.set(LOADING_KEY, "")
        engine.family = model.family  # the template its prompts are rendered with
        return engine

    return factory


class Models:
    """Which model the engine runs: choose one, reload it, switch to a newly verified one."""

    def __init__(
        self, store: Store, kv: KeyValueStore, queue: InferenceQueue, factory: EngineFactory
    ) -> None:
        self.store, self.kv, self.queue, self.factory = store, kv, queue, factory

    def use(self, model_id: str) -> None:
        self.store.dispatch(ModelSelected(model_id, saved_limit(self.kv, self.store.state.catalog, model_id)))
        self.reload()

    def reload(self) -> None:
        """Load the selected model afresh, if it is usable here; else the engine has no model
        (nothing is ever fetched without the user pressing Download)."""
        state = self.store.state
        if state.model is None or not state.usable(state.model):
            self.queue.use(None)
            return
        self.queue.use(self.factory)
        self.queue.preload()

    def ready(self, spec: ModelSpec, switch: bool) -> None:
        """A model was verified: use it if asked to, or if nothing usable is chosen yet."""
        state = self.store.state
        current = state.model
        idle = state.engine_status in ("no-model", "failed")
        if switch or idle or current is None or current.id == spec.id or not state.usable(current):
            self.kv.set(MODEL_KEY, spec.id)
            self.use(spec.id)

    def start(self, boot: bool = False) -> None:
        """After the stored models are known: load the chosen model, or the first usable one;
        at `boot`, not one whose last load never finished (say so instead)."""
        if boot and self._interrupted():
            return
        state = self.store.state
        usable = [m for m in state.catalog if state.usable(m)]
        chosen = state.model if state.model in usable else (usable[0] if usable else None)
        if chosen is not None:
            self.use(chosen.id)

    def left(self) -> None:
        """The page is being left normally: a load in progress now is not one the tab died in."""
        self.kv.set(LOADING_KEY, "")

    def _interrupted(self) -> bool:
        """Whether the last start died loading a model: then say so, once, and load nothing."""
        model_id = self.kv.get(LOADING_KEY) or ""
        if not model_id:
            return False
        self.kv.set(LOADING_KEY, "")
        state = self.store.state
        model = next((m for m in state.catalog if m.id == model_id), None)
        if model is None:
            return False
        text = tr(
            "Loading {model} did not finish last time: this device may not have enough memory for it, "
            "so it was not loaded again.",
            model=model.label,
        )
        smaller = [m for m in state.catalog if m.bytes < model.bytes and (state.usable(m) or m.downloadable)]
        instead = pick(state.device, smaller).model if state.device is not None and smaller else None
        if instead is not None:
            text += " " + tr(
                "Choose a smaller model in Models, such as {model}, or choose it there again to retry.",
                model=instead.label,
            )
        else:
            text += " " + tr("Choose a smaller model in Models, or choose it there again to retry.")
        self.store.dispatch(TroubleReported(text))
        return True
