"""Appearance: the UI language and the colour theme the user chose. Validation and persistence. Pure.

Saved on this device under KEY as JSON {"lang": "", "theme": "system"}. lang "" follows the
browser's languages; theme "system" follows the system's light/dark preference, "light" and
"dark" force one. Anything unknown or damaged falls back to following the browser and system.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tabula.core.ports import KeyValueStore
from tabula.i18n.translate import LANGUAGES, from_browser

KEY = "tabula.appearance"
THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Appearance:
    lang: str = ""  # "" follows the browser, else a code in i18n.LANGUAGES
    theme: str = "system"  # one of THEMES

    def language(self, preferred: Iterable[str]) -> str:
        """The language the UI speaks: the chosen one, else the browser's first supported one."""
        return self.lang or from_browser(preferred)


def checked(lang: object, theme: object) -> Appearance:
    """An Appearance from untrusted values; unknown ones mean 'follow the browser / system'."""
    return Appearance(
        lang=lang if isinstance(lang, str) and lang in LANGUAGES else "",
        theme=theme if isinstance(theme, str) and theme in THEMES else "system",
    )


def from_form(form: Mapping[str, str]) -> Appearance:
    """What the Appearance and language form asks for."""
    return checked(form.get("lang", ""), form.get("theme", "system"))


def load(kv: KeyValueStore) -> Appearance:
    """What this device saved; missing or damaged means follow the browser and the system."""
    try:
        saved = json.loads(kv.get(KEY) or "{}")
    except ValueError:
        return Appearance()
    if not isinstance(saved, dict):
        return Appearance()
    return checked(saved.get("lang"), saved.get("theme"))


def save(kv: KeyValueStore, appearance: Appearance) -> None:
    kv.set(KEY, json.dumps({"lang": appearance.lang, "theme": appearance.theme}, sort_keys=True))
