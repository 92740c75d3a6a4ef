"""The Appearance and language form's handler: applied at once, kept on this device. Pure."""

from __future__ import annotations

from tabula.core.actions import AppearanceChanged, Store
from tabula.core.ports import KeyValueStore
from tabula.prefs import appearance
from tabula.ui.ports import Handler


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
