"""LocalStore and SessionStore (core.ports.KeyValueStore) over localStorage and sessionStorage,
for small settings (sessionStorage: what is kept for this tab's session only)."""

from __future__ import annotations

import js
from pyodide.ffi import JsException, jsnull


class LocalStore:
    """Kept on this device, for this origin."""

    def storage(self):
        return js.localStorage

    def get(self, key: str) -> str | None:
        value = self.storage().getItem(key)
        return None if value is None or value is jsnull else str(value)

    def set(self, key: str, value: str) -> None:
        try:
            self.storage().setItem(key, value)
        except JsException as error:  # quota or private mode: settings just won't persist
            js.console.warn(f"Tabula could not save {key}: {error}")


class SessionStore(LocalStore):
    """Kept for this tab's session only: gone when it closes."""

    def storage(self):
        return js.sessionStorage
