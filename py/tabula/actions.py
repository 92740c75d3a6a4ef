"""The table of data-action handlers: what each button and form in the views does. Pure.

Views declare `data-action="name"`; the page's one delegated listener calls App.on_action,
which looks the name up here. Handlers take the element's data-* and form fields.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from tabula import appearance, catalog, cloud_settings
from tabula import settings as settings_store
from tabula.chat import Chat
from tabula.cloud import CloudError, chat_request
from tabula.cloud_engine import ask
from tabula.downloader import Downloader
from tabula.errors import EngineError
from tabula.i18n import tr
from tabula.library import Library
from tabula.ports import CloudClient, KeyValueStore, Page
from tabula.queue import InferenceQueue
from tabula.settings import Settings
from tabula.store import (
    AppearanceChanged,
    CloudNotice,
    CloudSaved,
    ModelsNotice,
    SettingsRejected,
    SettingsSaved,
    Store,
)
from tabula.study import StudyTools

Handler = Callable[[dict[str, str]], object]
MODEL_KEY = "tabula.model"


class Controls:
    """Handlers for chat, settings and model actions, wired to their collaborators."""

    def __init__(
        self, store: Store, page: Page, chat: Chat, queue: InferenceQueue, kv: KeyValueStore,
        use_model: Callable[[str], None], reload_engine: Callable[[], None],
    ) -> None:  # fmt: skip
        self.store, self.page, self.chat, self.queue, self.kv = store, page, chat, queue, kv
        self.use_model, self.reload_engine = use_model, reload_engine

    def table(self) -> dict[str, Handler]:
        return {
            "send": self.send,
            "stop": lambda _data: self.chat.stop(),
            "cancel": lambda data: self.chat.cancel(int(data["id"])),
            "regenerate": lambda _data: self.chat.regenerate(),
            "save-settings": self.save_settings,
            "reset-settings": lambda _data: self.apply_settings(Settings(), tr("Defaults restored.")),
            "restart-engine": lambda _data: self.restart_engine(),
            "use-model": lambda data: self.select_model(data["id"]),
        }

    def restart_engine(self) -> None:
        """Throw the engine away (stuck, or its GPU lost) and load it again now."""
        self.queue.force_reset()
        self.queue.preload()

    def send(self, data: dict[str, str]) -> None:
        if self.chat.send(data.get("message", "")):
            self.page.clear_composer()

    def save_settings(self, data: dict[str, str]) -> None:
        settings, errors = settings_store.validate(data, self.store.state.model_limit)
        if settings is None:
            self.store.dispatch(SettingsRejected(tuple(errors.items())))
            return
        self.apply_settings(settings, tr("Saved. New answers use these settings."))

    def apply_settings(self, settings: Settings, notice: str) -> None:
        """Persist, show, and hand the engine its new options (queued, no page reload).

        Sampling options go to the live engine; MediaPipe fixes maxTokens when it creates the
        engine (setOptions leaves it unchanged, seen in 0.10.29), so a new maxTokens recreates it.
        """
        limit, before = self.store.state.model_limit, self.store.state.settings
        settings_store.save(self.kv, settings)
        self.store.dispatch(SettingsSaved(settings, notice))
        if self.store.state.model is None:
            return
        options = settings.engine_options(limit)
        if options["maxTokens"] != before.engine_options(limit)["maxTokens"]:
            self.reload_engine()
        else:
            self.chat.background(self._configure(options))

    async def _configure(self, options: dict[str, float | int]) -> None:
        """Apply options now if a model is loaded; a later load reads them from settings anyway."""
        with contextlib.suppress(EngineError):
            await self.queue.configure(options)

    def select_model(self, model_id: str) -> None:
        if model_id == self.store.state.model_id or not any(
            m.id == model_id for m in self.store.state.catalog
        ):
            return
        self.kv.set(MODEL_KEY, model_id)
        self.use_model(model_id)


class ModelControls:
    """Handlers for the Models page: download, pause, delete, upgrade, add by URL."""

    def __init__(
        self, store: Store, downloader: Downloader, unload: Callable[[], None], hosts: tuple[str, ...] = ()
    ) -> None:
        self.store, self.downloader, self.unload = store, downloader, unload
        self.hosts = hosts  # origins this site's security policy lets models come from

    def table(self) -> dict[str, Handler]:
        return {
            "download-model": lambda data: self.downloader.start(data["id"]),
            "pause-download": lambda data: self.downloader.pause(data["id"]),
            "delete-model": lambda data: self.delete(data["id"]),
            "upgrade-model": lambda data: self.downloader.start(data["id"], switch=True),
            "add-model-url": self.add_url,
        }

    def delete(self, model_id: str) -> None:
        """Delete a stored model (or cancel its download); the model in use is unloaded first."""
        state = self.store.state
        if model_id == state.model_id and state.model is not None and state.model.source != "embedded":
            self.unload()
        self.downloader.delete(model_id)

    def add_url(self, data: dict[str, str]) -> None:
        """Add a model by address and start downloading it."""
        try:
            spec = catalog.custom(data.get("url", ""), data.get("label", ""), self.hosts)
        except catalog.CatalogError as error:
            self.store.dispatch(ModelsNotice(str(error)))
            return
        self.store.dispatch(ModelsNotice(""))
        self.downloader.pinned(spec)
        self.downloader.start(spec.id)


class CloudControls:
    """Handlers for the cloud engine's settings (save, remove the key, test it) and Study."""

    def __init__(self, store: Store, kv: KeyValueStore, client: CloudClient, base: str, study: StudyTools,
                 spawn: Callable[[Awaitable[None]], object]) -> None:  # fmt: skip
        self.store, self.kv, self.client, self.base, self.study, self.spawn = (
            store,
            kv,
            client,
            base,
            study,
            spawn,
        )

    def table(self) -> dict[str, Handler]:
        return {
            "save-cloud": self.save,
            "remove-key": lambda _data: self._apply(
                cloud_settings.without_key(self.store.state.cloud), tr("Key removed.")
            ),
            "study": self.study.make,
            "check-quiz": self.study.check,
        }

    def save(self, data: dict[str, str]) -> None:
        """Save the cloud form; with the Test button, also try the key against the service."""
        settings, problem = cloud_settings.update(self.store.state.cloud, data)
        if settings is None:
            self.store.dispatch(CloudNotice("error", problem))
            return
        self._apply(settings, tr("Saved."))
        if data.get("op") == "test":
            self.store.dispatch(CloudNotice("", tr("Testing the key…")))
            self.spawn(self._test(settings))

    def _apply(self, settings: cloud_settings.CloudSettings, notice: str) -> None:
        cloud_settings.save(self.kv, settings)
        self.store.dispatch(CloudSaved(settings, ("ok", notice)))

    async def _test(self, settings: cloud_settings.CloudSettings) -> None:
        if not settings.has_key:
            self.store.dispatch(CloudNotice("error", tr("Add a key first.")))
            return
        turns = [("user", "Reply with the word OK.")]
        request = chat_request(self.base, settings.model, settings.key, turns, "", 0.0, 1, 16, stream=False)
        try:
            await ask(self.client, request)
        except CloudError as error:
            self.store.dispatch(CloudNotice("error", tr("Key test failed: {message}", message=error.message)))
            return
        self.store.dispatch(CloudNotice("ok", tr("The key works: {model} answered.", model=settings.model)))


class AppearanceControls:
    """The Appearance and language form: applied at once, kept on this device."""

    def __init__(self, store: Store, kv: KeyValueStore, preferred: tuple[str, ...]) -> None:
        self.store, self.kv, self.preferred = store, kv, preferred

    def table(self) -> dict[str, Handler]:
        return {"save-appearance": self.save}

    def save(self, data: dict[str, str]) -> None:
        chosen = appearance.from_form(data)
        appearance.save(self.kv, chosen)
        self.store.dispatch(AppearanceChanged(chosen.language(self.preferred), chosen.theme, chosen.lang))


class LibraryControls:
    """Handlers for the list of conversations; New chat starts a new one."""

    def __init__(self, chat: Chat, library: Library) -> None:
        self.chat, self.library = chat, library

    def table(self) -> dict[str, Handler]:
        return {
            "new-chat": lambda _data: self.new(),
            "open-chat": self.open,
            "start-rename": lambda data: self.library.start_rename(data["id"]),
            "rename-chat": lambda data: self.library.rename(data.get("id", ""), data.get("title", "")),
            "delete-chat": self.delete,
            "undo-delete": lambda _data: self.library.undo(),
            "search-chats": lambda data: self.library.search(data.get("q", "")),
        }

    def new(self, keep_undo: bool = False) -> None:
        self.chat.abandon()  # unfinished answers end in the conversation they belong to
        self.library.new(keep_undo)  # before clearing, so the old conversation keeps its messages
        self.chat.clear()

    def open(self, data: dict[str, str]) -> None:
        if self.library.shelf.get(data["id"]) is not None:
            self.chat.abandon()
            self.library.open(data["id"])

    def delete(self, data: dict[str, str]) -> None:
        if self.library.delete(data["id"]) is not None:  # it was on screen: show a new one
            self.new(keep_undo=True)
