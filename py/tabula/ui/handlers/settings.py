"""The Settings page's generation handlers: save, restore defaults, restart the engine. Pure.

New settings are persisted, shown, and handed to the engine through the queue (no page reload).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from tabula.core.actions import SettingsRejected, SettingsSaved, Store
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

    def __init__(
        self, store: Store, queue: InferenceQueue, kv: KeyValueStore, reload_engine: Callable[[], None],
        spawn: Spawn,
    ) -> None:  # fmt: skip
        self.store, self.queue, self.kv = store, queue, kv
        self.reload_engine, self.spawn = reload_engine, spawn

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
            self.spawn(self._configure(options))

    async def _configure(self, options: dict[str, float | int]) -> None:
        """Apply options now if a model is loaded; a later load reads them from settings anyway."""
        with contextlib.suppress(EngineError):
            await self.queue.configure(options)
