"""The Settings page's generation handlers: save, restore defaults, restart the engine. Pure.

New settings are persisted, shown, and make the next answer use them (no page reload): an
engine's options are fixed when it is made (engine/ports.py), so a change rebuilds it through
the queue, from the stored or embedded model only; a rebuild that fails is shown, never hidden.
"""

from __future__ import annotations

from collections.abc import Awaitable

from tabula.core.actions import SettingsRejected, SettingsSaved, Store, TroubleReported
from tabula.core.ports import KeyValueStore
from tabula.core.tasks import Spawn
from tabula.engine.errors import EngineError
from tabula.engine.queue import InferenceQueue
from tabula.i18n.translate import tr
from tabula.prefs import generation as settings_store
from tabula.prefs.generation import Settings
from tabula.ui.ports import Handler


class SettingsControls:
    """Handlers for the generation settings and the engine's restart."""

    def __init__(self, store: Store, queue: InferenceQueue, kv: KeyValueStore, spawn: Spawn) -> None:
        self.store, self.queue, self.kv, self.spawn = store, queue, kv, spawn

    def table(self) -> dict[str, Handler]:
        return {
            "save-settings": self.save_settings,
            "reset-settings": lambda _data: self.apply_settings(Settings(), tr("Defaults restored.")),
            "restart-engine": lambda _data: self.restart_engine(),
        }

    def restart_engine(self) -> None:
        """Throw the engine away (stuck, or its GPU lost) and load it again now."""
        self.queue.force_reset()
        self.queue.preload()

    def save_settings(self, data: dict[str, str]) -> None:
        settings, errors = settings_store.validate(data, self.store.state.model_limit)
        if settings is None:
            self.store.dispatch(SettingsRejected(tuple(errors.items())))
            return
        self.apply_settings(settings, tr("Saved. New answers use these settings."))

    def apply_settings(self, settings: Settings, notice: str) -> None:
        """Persist and show them; if the engine's options change, rebuild it (queued behind any
        running answer). With no usable model this only saves: nothing is ever fetched here."""
        state = self.store.state
        settings_store.save(self.kv, settings)
        self.store.dispatch(SettingsSaved(settings, notice))
        if state.model is None or not state.usable(state.model):
            return
        if settings.engine_options(state.model_limit) != state.settings.engine_options(state.model_limit):
            self.spawn(self._rebuilt(self.queue.reload()))  # queued now, before the next answer

    async def _rebuilt(self, load: Awaitable[None]) -> None:
        try:
            await load
        except EngineError as error:
            text = tr("The new settings could not be applied: {reason}", reason=error.message)
            self.store.dispatch(TroubleReported(text))
