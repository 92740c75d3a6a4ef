"""LocalStore (core.ports.KeyValueStore) over localStorage, for small settings."""

from __future__ import annotations

import js
from pyodide.ffi import JsException, jsnull


class LocalStore:
    def get(self, key: str) -> str | None:
        value = js.localStorage.getItem(key)
        return None if value is None or value is jsnull else str(value)

    def set(self, key: str, value: str) -> None:
        try:
            js.localStorage.setItem(key, value)
        except JsException as error:  # quota or private mode: settings just won't persist
            js.console.warn(f"Tabula could not save {key}: {error}")
