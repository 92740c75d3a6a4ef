"""The Models page's handlers: use, download, pause, delete, upgrade, add a model by address. Pure."""

from __future__ import annotations

from collections.abc import Callable

from tabula.core.actions import ModelsNotice, Store
from tabula.core.ports import KeyValueStore
from tabula.i18n.translate import N_, tr
from tabula.models import catalog
from tabula.models.downloader import Downloader
from tabula.models.selection import MODEL_KEY
from tabula.ui.ports import Handler

ELSEWHERE = N_(
    "Models are managed in the other Tabula window, which runs the model and the downloads. "
    "Press Use Tabula here to manage them in this window."
)


class ModelControls:
    """Handlers for the Models page: download, pause, delete, upgrade, add by URL, use one."""

    def __init__(
        self, store: Store, downloader: Downloader, unload: Callable[[], None], hosts: tuple[str, ...] = (),
        kv: KeyValueStore | None = None, use_model: Callable[[str], None] = lambda _id: None,
    ) -> None:  # fmt: skip
        self.store, self.downloader, self.unload = store, downloader, unload
        self.hosts = hosts  # origins this site's security policy lets models come from
        self.kv, self.use_model = kv, use_model

    def table(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            "download-model": lambda data: self.downloader.start(data["id"]),
            "pause-download": lambda data: self.downloader.pause(data["id"]),
            "delete-model": lambda data: self.delete(data["id"]),
            "upgrade-model": lambda data: self.downloader.start(data["id"], switch=True),
            "add-model-url": self.add_url,
            "use-model": lambda data: self.select_model(data["id"]),
        }
        return {name: self._here(handler) for name, handler in handlers.items()}

    def _here(self, handler: Handler) -> Handler:
        """Model actions run in the window that runs the engine and the downloads; in another
        window they say where, and do nothing (two windows would fetch the same bytes twice)."""

        def guarded(data: dict[str, str]) -> object:
            if self.store.state.elsewhere:
                return self.store.dispatch(ModelsNotice(tr(ELSEWHERE)))
            return handler(data)

        return guarded

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

    def select_model(self, model_id: str) -> None:
        if model_id == self.store.state.model_id or not any(
            m.id == model_id for m in self.store.state.catalog
        ):
            return
        if self.kv is not None:
            self.kv.set(MODEL_KEY, model_id)
        self.use_model(model_id)
