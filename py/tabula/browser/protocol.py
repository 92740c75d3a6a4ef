"""The engine host protocol, typed: what the page asks an engine host (pwa/js/engine_mediapipe.js
in its dedicated worker, pwa/js/engine_wllama.js beside wllama's, pwa/js/engine_transformers.js
hosting Transformers.js) and what comes back.

Requests and events are frozen dataclasses here and plain objects on the wire
({"type": ..., fields}); `wire()` and `event()` convert at the edge. Token batches and load
progress are not events Python awaits: pwa/js/engine_port.js buffers them and Python pulls them
once per paint (engine.ports.Engine.take). Pure: no js import, so CPython tests it.
May import: nothing of the app's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where the host reads the model: the stored copy (its id; the host opens its OPFS chunks
    itself) or the site's own copy of an embedded model (a same-origin URL)."""

    stored: str = ""
    url: str = ""


@dataclass(frozen=True)
class Load:
    base: str  # the vendored engine's folder (absolute URL)
    source: Source
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Generate:
    prompt: str
    options: dict[str, Any] = field(default_factory=dict)  # per-answer sampling (wllama, transformers)
    # The photos and audio clips the prompt's placeholders stand for, in order: [{id, kind}]
    # (transformers only: the host reads each one's bytes from IndexedDB "tabula-media" itself).
    media: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Count:
    text: str


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class Unload:
    pass


@dataclass(frozen=True)
class Stats:
    pass


Request = Load | Generate | Count | Cancel | Unload | Stats


@dataclass(frozen=True)
class Loaded:
    info: dict[str, Any]


@dataclass(frozen=True)
class Done:
    text: str
    tokens: int = -1  # tokens generated, by the engine's own count (-1: the host did not say)


@dataclass(frozen=True)
class Counted:
    tokens: int


@dataclass(frozen=True)
class Unloaded:
    pass


@dataclass(frozen=True)
class DeviceStats:
    """GPU devices asked for and destroyed in the host (a failed load must leave none)."""

    requested: int
    destroyed: int


Event = Loaded | Done | Counted | Unloaded | DeviceStats

EVENTS: dict[str, type] = {
    "loaded": Loaded,
    "done": Done,
    "counted": Counted,
    "unloaded": Unloaded,
    "stats": DeviceStats,
}


def media_refs(media: object) -> list[dict[str, str]]:
    """Attachments (objects with `.id` and `.kind`, or such dicts) as the host reads them."""
    refs = []
    for item in media or ():
        get = item.get if isinstance(item, dict) else lambda name, item=item: getattr(item, name)
        refs.append({"id": str(get("id")), "kind": str(get("kind"))})
    return refs


def wire(request: Request) -> dict[str, Any]:
    """`request` as the plain object the host reads."""
    return {"type": type(request).__name__.lower(), **asdict(request)}


def event(data: dict[str, Any]) -> Event:
    """The host's reply `data` as its event; a reply of an unknown type is a bug (ValueError)."""
    kind = EVENTS.get(str(data.get("type")))
    if kind is None:
        raise ValueError(f"unknown engine host reply: {data.get('type')!r}")
    names = kind.__dataclass_fields__
    return kind(**{name: data[name] for name in names if name in data})  # absent: its default
