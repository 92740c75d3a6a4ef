"""The cloud engine's settings handlers: save, remove the key, test it against the service. Pure."""

from __future__ import annotations

from tabula.cloud import access as cloud_settings
from tabula.cloud.client import ask
from tabula.cloud.ports import CloudClient
from tabula.cloud.wire import CloudError, chat_request
from tabula.core.actions import CloudNotice, CloudSaved, Store
from tabula.core.ports import KeyValueStore
from tabula.core.tasks import Spawn
from tabula.i18n.translate import tr
from tabula.ui.ports import Handler


class CloudControls:
    """Handlers for the cloud engine's settings (save, remove the key, test it)."""

    def __init__(
        self, store: Store, kv: KeyValueStore, client: CloudClient, base: str,
        spawn: Spawn, session: KeyValueStore | None = None,
    ) -> None:  # fmt: skip
        """`kv` keeps settings on this device; `session` (sessionStorage) a key kept for this
        session only."""
        self.store, self.kv, self.client, self.base, self.spawn = store, kv, client, base, spawn
        self.session = session

    def table(self) -> dict[str, Handler]:
        return {
            "save-cloud": self.save,
            "remove-key": lambda _data: self._apply(
                cloud_settings.without_key(self.store.state.cloud), tr("Key removed.")
            ),
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
        cloud_settings.save(self.kv, settings, self.session)
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
