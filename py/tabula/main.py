"""Composition root: read the build's config, build the browser adapters, wire everything, start.

The only core module that names browser/ adapters (imported inside run(), so CPython can
import this module for tests); everything it wires is a port.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tabula import appearance, cloud_settings
from tabula import settings as settings_store
from tabula.actions import (
    MODEL_KEY,
    AppearanceControls,
    CloudControls,
    Controls,
    LibraryControls,
    ModelControls,
)
from tabula.app import App
from tabula.catalog import from_records, merge
from tabula.chat import Chat
from tabula.chat_files import ChatFiles
from tabula.cloud import DEFAULT_BASE
from tabula.downloader import Downloader
from tabula.library import Library
from tabula.model_choice import Models, added_models, engine_factory, remember, saved_limit
from tabula.ports import KeyValueStore, Page
from tabula.queue import InferenceQueue
from tabula.starters import Starters
from tabula.state import State
from tabula.store import (
    DeviceProbed,
    EngineStatusChanged,
    InstallableChanged,
    Store,
)
from tabula.study import StudyTools

CONFIG = Path("config.json")
WARM_AFTER_S = 1.0  # after the first paint and the stored-model lookup have begun
_tasks: set[asyncio.Task] = set()


def initial_state(config: dict, kv: KeyValueStore, languages: tuple[str, ...] = ()) -> State:
    """The State before any event, from config.json, what this device saved and the browser's
    preferred `languages`."""
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
        cloud=cloud_settings.load(kv),
        lang=looks.language(languages),
        lang_choice=looks.lang,
        theme=looks.theme,
    )


class Wiring:
    """Every part of the running app, built from config.json and the browser adapters."""

    def __init__(self, config: dict) -> None:
        from tabula.browser.probe import languages
        from tabula.browser.storage import LocalStore

        self.config = config
        self.kv = LocalStore()
        self.languages = languages()
        self.store = Store(initial_state(config, self.kv, self.languages))
        self._engine(config["paths"]["genai"])
        self._chat(config.get("cloud", {}).get("base", DEFAULT_BASE))
        self._downloads(config)

    def _engine(self, genai: str) -> None:
        """The inference queue and the models it runs (MediaPipe's, from `genai`)."""
        from tabula.browser.engine import MediaPipeEngine

        store, kv = self.store, self.kv
        self.queue = queue = InferenceQueue(
            on_status=lambda s, d: store.dispatch(EngineStatusChanged(str(s), d))
        )

        def create_engine(url: str, stored: str, label: str, options: dict[str, float | int]):
            return MediaPipeEngine.create(genai, url, stored, label, options, queue.device_lost)

        self.models = Models(store, kv, queue, engine_factory(store, kv, create_engine))

    def _chat(self, cloud_base: str) -> None:
        """The chat, the cloud engine, the study tools and the saved conversations."""
        from tabula.browser.chat_store import IdbChatStore
        from tabula.browser.cloud import FetchCloudClient
        from tabula.browser.local_files import BrowserFiles
        from tabula.browser.painter import FramePainter

        store, self.cloud_base = self.store, cloud_base
        self.painter, self.cloud = FramePainter(), FetchCloudClient()
        self.chat = Chat(store, self.queue, self.painter, self.cloud, cloud_base)
        self.study = StudyTools(store, self.queue, self.cloud, cloud_base, self.chat.background)
        self.library = Library(store, IdbChatStore(), self.chat.background)
        self.chat.on_partial = self.library.partial
        self.files = ChatFiles(store, self.library, BrowserFiles(), self.chat.background)

    def _downloads(self, config: dict) -> None:
        """Model downloads and imports into the browser's private file storage."""
        from tabula.browser.model_store import OpfsModelStore

        store, kv = self.store, self.kv
        files, pinned = OpfsModelStore(config["paths"]["sha256"]), lambda spec: remember(store, kv, spec)
        self.downloader = Downloader(
            store, files, kv, config["chunk_bytes"], self.chat.background, self.models.ready, pinned
        )

    def handlers(self, page: Page) -> dict:
        """Every data-action's handler."""
        store, spawn = self.store, self.chat.background
        controls = Controls(store, page, self.chat, self.queue, self.kv, self.models.use, self.models.reload)
        hosts = tuple(self.config.get("model_hosts", ()))
        model_controls = ModelControls(store, self.downloader, lambda: self.queue.use(None), hosts)
        cloud_controls = CloudControls(store, self.kv, self.cloud, self.cloud_base, self.study, spawn)
        library_controls = LibraryControls(self.chat, self.library)
        starters = Starters(
            store,
            self.chat,
            self.queue,
            self.library,
            self.files.files,
            page,
            library_controls.new,
            self.files.notice,
        )
        self.starters = starters
        appearance_controls = AppearanceControls(store, self.kv, self.languages)
        return {
            **appearance_controls.table(),
            **controls.table(),
            **model_controls.table(),
            **cloud_controls.table(),
            **library_controls.table(),
            **self.files.table(),
            **starters.table(),
        }

    async def load_conversations(self) -> None:
        """Open the saved conversations; without IndexedDB the app still works, unsaved."""
        try:
            await self.library.load()
        except Exception as error:
            print(f"Tabula: conversations could not be loaded: {error!r}")

    def picked(self, action: str, file: object) -> None:
        """A file chosen in an <input type=file data-action=...>."""
        if action == "import-model":
            self.chat.background(import_picked(self.downloader, file))
        elif action == "import-chats":
            self.chat.background(self.files.import_file(file))
        elif action.startswith("open-note:"):
            self.chat.background(self.starters.open_note(action.removeprefix("open-note:"), file))

    def start(self) -> None:
        """After the first paint: find stored models and load one; resume downloads when online."""
        back = lambda old, new: self.downloader.network_back() if new.online and not old.online else None  # noqa: E731
        self.store.subscribe(back)
        self.chat.background(boot_models(self.store, self.downloader, self.models))
        self.chat.background(warm_markdown())


async def run() -> None:
    """Boot the app in the browser; any failure becomes a readable error state."""
    from tabula.browser import diagnostics, rich
    from tabula.browser.dom import BrowserPage, listen
    from tabula.browser.sw import ServiceWorkerUpdates

    page = BrowserPage()
    diagnostics.expose()
    try:
        config = json.loads(CONFIG.read_text())
        parts = Wiring(config)
        updates, *_ = await asyncio.gather(
            ServiceWorkerUpdates.connect(), rich.load(config["paths"]), parts.load_conversations()
        )
        app = App(parts.store, page, updates, parts.handlers(page), parts.painter, on_file=parts.picked)
        listen(app)
        updates.on_waiting(app.on_update_waiting)
        offer_install(app, parts, updates)
        app.start()
        parts.start()
    except Exception as error:
        page.set_boot_state("error", f"{type(error).__name__}: {error}")
        raise


def offer_install(app: App, parts: Wiring, updates) -> None:
    """Show Install while the browser offers it; the button opens the browser's dialog."""
    store = parts.store
    store.dispatch(InstallableChanged(updates.installable()))
    updates.on_installable(lambda offered: store.dispatch(InstallableChanged(offered)))
    app.handlers["install"] = lambda _data: parts.chat.background(updates.install())


async def boot_models(store: Store, downloader: Downloader, models: Models) -> None:
    """Find the stored models (resuming unfinished downloads), load one, then measure the device."""
    await downloader.restore()
    models.start()
    await report_device(store)


async def warm_markdown() -> None:
    """Set up the Markdown renderer a moment after the first paint, before the first answer."""
    from tabula.views import markdown

    await asyncio.sleep(WARM_AFTER_S)
    markdown.warm()


async def import_picked(downloader: Downloader, file: object) -> None:
    """The user picked a model file: judge it from a few bytes, then copy it in."""
    from tabula.browser.model_store import file_choice

    await downloader.import_file(await file_choice(file))


async def report_device(store: Store) -> None:
    """Measure the device once (WebGPU adapter, memory, storage) for the Models page."""
    from tabula.browser.probe import probe

    store.dispatch(DeviceProbed(await probe()))


def start() -> None:
    """Schedule run() on PyScript's event loop (never blocks, never asyncio.run)."""
    task = asyncio.ensure_future(run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
