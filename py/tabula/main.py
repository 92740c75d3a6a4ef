"""Composition root: read the build's config, build the browser adapters, wire everything, start.
The only core module that names browser/ adapters (imported inside run(), so CPython can
import this module for tests); everything it wires is a port."""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path

from tabula.chat.answering import Chat
from tabula.chat.files import ChatFiles
from tabula.chat.library import Library
from tabula.cloud import access as cloud_settings
from tabula.cloud.wire import DEFAULT_BASE
from tabula.core.actions import (
    DeviceProbed,
    EngineStatusChanged,
    InstallableChanged,
    ModelsNotice,
    Store,
    TroubleReported,
)
from tabula.core.ports import KeyValueStore
from tabula.core.state import State
from tabula.core.tasks import Tasks
from tabula.engine.queue import InferenceQueue
from tabula.i18n.translate import tr
from tabula.models.catalog import from_records, merge
from tabula.models.downloader import Downloader
from tabula.models.ownership import Ownership
from tabula.models.selection import MODEL_KEY, Models, added_models, engine_factory, remember, saved_limit
from tabula.prefs import appearance
from tabula.prefs import generation as settings_store
from tabula.study.tools import StudyTools
from tabula.ui.app import App
from tabula.ui.handlers.appearance import AppearanceControls
from tabula.ui.handlers.chat import ChatControls
from tabula.ui.handlers.cloud import CloudControls
from tabula.ui.handlers.library import LibraryControls
from tabula.ui.handlers.models import ELSEWHERE, ModelControls
from tabula.ui.handlers.settings import SettingsControls
from tabula.ui.handlers.starters import Starters
from tabula.ui.handlers.study import StudyControls
from tabula.ui.handlers.updates import UpdateControls
from tabula.ui.ports import Page

CONFIG = Path("config.json")
WARM_AFTER_S = 1.0  # after the first paint and the stored-model lookup have begun
TASKS = Tasks()  # the one supervisor of every background task (core/tasks.py)


def initial_state(
    config: dict, kv: KeyValueStore, languages: tuple[str, ...] = (), session: KeyValueStore | None = None
) -> State:
    """The State before any event, from config.json, what this device (and this tab's `session`)
    saved and the browser's preferred `languages`."""
    catalog = merge(from_records(config["catalog"]), added_models(kv))
    saved, looks = kv.get(MODEL_KEY), appearance.load(kv)
    model_id = saved if any(m.id == saved for m in catalog) else (catalog[0].id if catalog else "")
    return State(
        version=config["version"],
        runtime=tuple(sorted(config["runtime"].items())),
        catalog=catalog,
        model_id=model_id,
        model_limit=saved_limit(kv, catalog, model_id),
        settings=settings_store.load(kv),
        cloud=cloud_settings.load(kv, session),
        lang=looks.language(languages),
        lang_choice=looks.lang,
        theme=looks.theme,
    )


class Wiring:
    """Every part of the running app, built from config.json and the browser adapters."""

    def __init__(self, config: dict) -> None:
        from tabula.browser.local_storage import LocalStore, SessionStore
        from tabula.browser.probe import languages

        self.config = config
        self.kv, self.session = LocalStore(), SessionStore()
        self.languages = languages()
        self.store = store = Store(initial_state(config, self.kv, self.languages, self.session))
        self.tasks = TASKS
        self.tasks.on_failure = lambda text: store.dispatch(TroubleReported(text))
        self.spawn = self.tasks.spawn
        self._engine(config["paths"])
        self._chat(config.get("cloud", {}).get("base", DEFAULT_BASE))
        self._downloads(config)
        self._ownership()

    def _engine(self, paths: dict[str, str]) -> None:
        """The inference queue and its engines: MediaPipe's, wllama's (GGUF) or Transformers.js's (ONNX sets)."""
        from tabula.browser import transformers, wllama
        from tabula.browser.mediapipe import MediaPipeEngine

        store, kv = self.store, self.kv
        status = lambda s, d: store.dispatch(EngineStatusChanged(str(s), d))  # noqa: E731
        self.queue = queue = InferenceQueue(on_status=status)

        def create_engine(url: str, stored: str, label: str, options: dict[str, float | int]):
            return MediaPipeEngine.create(paths["genai"], url, stored, label, options, queue.device_lost)

        cpu = partial(wllama.WllamaEngine.create, paths.get("wllama", ""))
        onnx = partial(transformers.TransformersEngine.create, paths, on_lost=queue.device_lost)
        self.models = Models(store, kv, queue, engine_factory(store, kv, create_engine, cpu, onnx))

    def _chat(self, cloud_base: str) -> None:
        """The chat, the cloud engine, the study tools and the saved conversations."""
        from tabula.browser.engine_host import on_first_text
        from tabula.browser.http import FetchCloudClient
        from tabula.browser.indexeddb import IdbChatStore
        from tabula.browser.local_files import BrowserFiles
        from tabula.browser.painter import FramePainter

        store, self.cloud_base = self.store, cloud_base
        self.painter, self.cloud = FramePainter(), FetchCloudClient()
        on_first_text(self.painter.wake)
        self.chat = Chat(store, self.queue, self.painter, self.cloud, cloud_base, self.tasks)
        self.study = StudyTools(store, self.queue, self.cloud, cloud_base, self.spawn)
        self.library = Library(store, IdbChatStore(self.config["paths"]["keyval"]), self.spawn)
        self.chat.on_partial = self.library.partial
        self.files = ChatFiles(store, self.library, BrowserFiles(self.config["paths"]), self.spawn)

    def _downloads(self, config: dict) -> None:
        """Model downloads and imports into the browser's private file storage."""
        from tabula.browser.http import fetch_text
        from tabula.browser.opfs import OpfsModelStore

        store, kv = self.store, self.kv
        files, pinned = OpfsModelStore(config["paths"]["sha256"]), lambda spec: remember(store, kv, spec)
        self.downloader = Downloader(
            store, files, kv, config["chunk_bytes"], self.spawn, self.models.ready, pinned, hub=fetch_text
        )

    def _ownership(self) -> None:
        """One engine and one downloader per origin: this window's, or another's (Web Locks)."""
        from tabula.browser.engine_host import end_all
        from tabula.browser.windows import BrowserWindows

        async def gain() -> None:
            await self.downloader.restore(resume=True)
            self.models.start()

        def lose() -> None:  # at once, even mid-answer or mid-load: never two engines at a time
            self.queue.surrender()
            end_all("another window took the engine")
            self.downloader.suspend()

        self.ownership = Ownership(self.store, BrowserWindows(), gain, lose)

    def handlers(self, page: Page) -> dict:
        """Every data-action's handler."""
        store, spawn = self.store, self.spawn
        hosts = tuple(self.config.get("model_hosts", ()))
        unload = lambda: self.queue.use(None)  # noqa: E731
        model_controls = ModelControls(store, self.downloader, unload, hosts, self.kv, self.models.use)
        library_controls = LibraryControls(self.chat, self.library)
        self.starters = starters = Starters(
            store, self.chat, self.queue, self.library, self.files.files, page, library_controls.new,
            self.files.notice, model_controls.select_model,
        )  # fmt: skip
        self.chat_controls = ChatControls(page, self.chat, self.files.files.media, starters.notice, starters)
        return {
            **AppearanceControls(store, self.kv, self.languages).table(),
            **self.chat_controls.table(),
            **SettingsControls(store, self.queue, self.kv, spawn).table(),
            **StudyControls(self.study).table(),
            **model_controls.table(),
            **CloudControls(store, self.kv, self.cloud, self.cloud_base, spawn, self.session).table(),
            **library_controls.table(),
            **self.files.table(),
            **starters.table(),
            "take-over": lambda _data: spawn(self.ownership.take_over()),
        }

    async def connect_windows(self) -> None:
        """Hear the other windows' saved conversations, and tell them ours (BroadcastChannel)."""
        from tabula.browser.windows import BrowserChannel

        self.library.broadcast = await BrowserChannel.open("tabula-conversations", self.library.heard)

    async def load_conversations(self) -> None:
        """Open the saved conversations; without IndexedDB the app still works, unsaved."""
        try:
            await self.library.load()
        except Exception as error:
            print(f"Tabula: conversations could not be loaded: {error!r}")

    def picked(self, action: str, file: object) -> None:
        """A file chosen in an <input type=file data-action=...>."""
        if action in ("import-model", "import-model-set"):
            self.spawn(import_picked(self.downloader, file, action == "import-model-set"))
        elif action == "import-chats":
            self.spawn(self.files.import_file(file))
        elif action.startswith("attach-"):  # a photo or a sound file for the composer
            self.spawn(self.chat_controls.attach(file))
        elif action.startswith("open-note:"):
            self.spawn(self.starters.open_note(action.removeprefix("open-note:"), file))

    def start(self) -> None:
        """After the first paint: find stored models and load one; resume downloads when online."""
        back = lambda old, new: self.downloader.network_back() if new.online and not old.online else None  # noqa: E731
        self.store.subscribe(back)
        self.spawn(boot_models(self.store, self.downloader, self.models, self.ownership))
        self.spawn(warm_markdown())


async def run() -> None:
    """Boot the app in the browser; any failure becomes a readable error state."""
    from tabula.browser import diagnostics, rich
    from tabula.browser.dom import BrowserPage, listen, on_leaving
    from tabula.browser.sw import ServiceWorkerUpdates

    diagnostics.mark("run")  # main's imports are done (the task that ran them has ended)
    page = BrowserPage()
    diagnostics.expose()
    try:
        config = json.loads(CONFIG.read_text())
        parts = Wiring(config)
        diagnostics.mark("wired")
        updates, *_ = await asyncio.gather(
            ServiceWorkerUpdates.connect(), rich.load(config["paths"]), parts.load_conversations()
        )
        diagnostics.mark("loaded")
        await parts.connect_windows()
        app = App(parts.store, page, updates, parts.handlers(page), parts.painter, on_file=parts.picked)
        listen(app)
        on_leaving(parts.models.left)  # a load cut short by a reload is no crash
        watch_updates(app, parts, updates)
        offer_install(app, parts, updates)
        app.start()
        parts.start()
    except Exception as error:
        page.set_boot_state("error", f"{type(error).__name__}: {error}")
        raise


def watch_updates(app: App, parts: Wiring, updates) -> None:
    """Offer a new version (its Reload waits for work in progress), say when another window took
    one, and look for one when the app is shown again and every hour."""
    controls = UpdateControls(parts.store, updates)
    app.handlers.update(controls.table())
    updates.on_waiting(app.on_update_waiting)
    updates.on_elsewhere(app.on_updated_elsewhere)
    updates.on_visible(lambda: parts.spawn(controls.check()))
    parts.spawn(controls.keep_checking())


def offer_install(app: App, parts: Wiring, updates) -> None:
    """Show Install while the browser offers it; the button opens the browser's dialog."""
    store = parts.store
    store.dispatch(InstallableChanged(updates.installable()))
    updates.on_installable(lambda offered: store.dispatch(InstallableChanged(offered)))
    app.handlers["install"] = lambda _data: parts.spawn(updates.install())


async def boot_models(store: Store, downloader: Downloader, models: Models, ownership: Ownership) -> None:
    """Find the stored models, measure the device and, in the window that runs the engine,
    resume unfinished downloads and load one."""
    owner = await ownership.claim()
    await downloader.restore(resume=owner)
    await report_device(store)  # first: the engine's options follow it (models.fit.lean_context)
    if owner:
        models.start(boot=True)


async def warm_markdown() -> None:
    """Set up the Markdown renderer a moment after the first paint, before the first answer."""
    from tabula.chat import markdown

    await asyncio.sleep(WARM_AFTER_S)
    markdown.warm()


async def import_picked(downloader: Downloader, file: object, several: bool = False) -> None:
    """The user picked a model file (judged from a few bytes, then copied in), or a folder or files
    of a model made of several (in the window that runs the downloads; another one says where)."""
    if downloader.store.state.elsewhere:
        return downloader.store.dispatch(ModelsNotice(tr(ELSEWHERE)))
    from tabula.browser.opfs import file_choice, picked_files

    if several:
        return await downloader.import_set(picked_files(file))
    await downloader.import_file(await file_choice(file))


async def report_device(store: Store) -> None:
    """Measure the device once (WebGPU adapter, memory, storage) for the Models page."""
    from tabula.browser.probe import probe

    store.dispatch(DeviceProbed(await probe()))


def start() -> None:
    """Schedule run() on PyScript's event loop (never blocks, never asyncio.run)."""
    TASKS.spawn(run())
