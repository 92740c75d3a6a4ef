"""The optional cloud engine's settings: the user's API key, private mode, the cloud model,
and whether structured features may use the on-device model. Validation and persistence. Pure.

The key is shown masked and kept where the user chose: on this device (localStorage, the
default) or for this session only (sessionStorage: this tab, forgotten when it closes; the one
choice that leaves nothing behind on a shared origin or a shared tablet). Private mode is on
until a key is added; adding a key turns it off, and the user can turn it back on at any time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from tabula.cloud.wire import DEFAULT_MODEL, looks_like_key
from tabula.core.ports import KeyValueStore
from tabula.i18n.translate import tr

KEY_KEY = "tabula.cloud.key"
PREFS_KEY = "tabula.cloud"
MODEL_ID = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")


@dataclass(frozen=True)
class CloudSettings:
    key: str = ""
    private: bool = True
    model: str = DEFAULT_MODEL
    local_structured: bool = False
    remember: bool = True  # keep the key on this device (False: for this session only)

    @property
    def has_key(self) -> bool:
        return bool(self.key)

    @property
    def enabled(self) -> bool:
        """Whether the cloud may be asked at all (a key, and private mode off)."""
        return self.has_key and not self.private


def load(kv: KeyValueStore, session: KeyValueStore | None = None) -> CloudSettings:
    """What this device (or this session, in `session`) saved; anything damaged falls back to
    private mode with no key."""
    kept = kv.get(KEY_KEY) or ""
    key = kept or (session.get(KEY_KEY) or "" if session is not None else "")
    try:
        prefs = json.loads(kv.get(PREFS_KEY) or "{}")
    except ValueError:
        prefs = {}
    if not isinstance(prefs, dict):
        prefs = {}
    model = prefs.get("model")
    return CloudSettings(
        key=key if looks_like_key(key) is None else "",
        private=prefs.get("private") is not False or not key,
        model=model if isinstance(model, str) and MODEL_ID.fullmatch(model) else DEFAULT_MODEL,
        local_structured=prefs.get("local_structured") is True,
        remember=bool(kept) or not key,
    )


def save(kv: KeyValueStore, settings: CloudSettings, session: KeyValueStore | None = None) -> None:
    """Keep the settings on this device, and the key where the user chose (removed from the other)."""
    kept_here = settings.remember or session is None
    kv.set(KEY_KEY, settings.key if kept_here else "")
    if session is not None:
        session.set(KEY_KEY, "" if kept_here else settings.key)
    prefs = {
        "private": settings.private,
        "model": settings.model,
        "local_structured": settings.local_structured,
    }
    kv.set(PREFS_KEY, json.dumps(prefs, sort_keys=True))


def update(current: CloudSettings, form: Mapping[str, str]) -> tuple[CloudSettings | None, str]:
    """The settings after the cloud form is saved, or None and the reason.

    An empty key field keeps the saved key; a new key turns private mode off unless the form
    asks for it. `keep_key` is "device" or "session" (missing: as before).
    """
    key = form.get("api_key", "").strip()
    if key:
        problem = looks_like_key(key)
        if problem:
            return None, problem
    model = form.get("cloud_model", "").strip() or DEFAULT_MODEL
    if not MODEL_ID.fullmatch(model):
        return None, tr("The cloud model id has only lower-case letters, digits, dots and dashes.")
    keep = form.get("keep_key", "")
    if keep not in ("", "device", "session"):
        return None, tr("Choose where to keep the key: on this device, or for this session only.")
    new_key = key or current.key
    private = form.get("private") == "on" or not new_key
    remember = current.remember if not keep else keep == "device"
    return CloudSettings(new_key, private, model, form.get("local_structured") == "on", remember), ""


def without_key(current: CloudSettings) -> CloudSettings:
    """Remove the key from this device: back to private mode."""
    return replace(current, key="", private=True)
