"""Application state: a frozen State, small Action records, a pure reduce(), and a Store.

Intents are imperative, facts past tense. Effects never happen here; main.py's wiring and the
inference queue perform them and report back with actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tabula.router import Route
from tabula.settings import Settings

if TYPE_CHECKING:
    from tabula.capability import DeviceReport


@dataclass(frozen=True)
class ModelInfo:
    """A model the app knows about (from the build's catalogue)."""

    id: str
    label: str
    family: str
    url: str
    bytes: int
    sha256: str
    source: str
    max_tokens: int | None = None  # the model's KV cache, where known


FINAL_STATUSES = frozenset({"done", "stopped", "cancelled", "failed"})


@dataclass(frozen=True)
class Message:
    """One bubble in the conversation. Answers carry their engine and speed."""

    id: int
    role: str  # "user" | "model"
    text: str = ""
    status: str = "done"  # waiting | streaming | done | stopped | cancelled | failed
    engine: str = ""
    ttft_ms: float | None = None
    tokens_per_s: float | None = None
    tokens: int = 0
    note: str = ""
    error: str = ""


@dataclass(frozen=True)
class State:
    """Everything the views need to draw the app."""

    route: Route = Route("chat")
    online: bool = True
    update_waiting: bool = False
    engine_status: str = "no-model"
    engine_detail: str = ""
    version: str = ""
    runtime: tuple[tuple[str, str], ...] = ()
    catalog: tuple[ModelInfo, ...] = field(default=())
    model_id: str = ""
    model_limit: int | None = None
    messages: tuple[Message, ...] = ()
    settings: Settings = field(default_factory=Settings)
    settings_errors: tuple[tuple[str, str], ...] = ()
    settings_notice: str = ""
    device: DeviceReport | None = None

    @property
    def model(self) -> ModelInfo | None:
        return next((m for m in self.catalog if m.id == self.model_id), None)


@dataclass(frozen=True)
class RouteChanged:
    route: Route


@dataclass(frozen=True)
class ConnectivityChanged:
    online: bool


@dataclass(frozen=True)
class UpdateWaiting:
    """A new version of the app is installed and waits for the user's Reload."""


@dataclass(frozen=True)
class EngineStatusChanged:
    status: str
    detail: str = ""


@dataclass(frozen=True)
class ModelSelected:
    model_id: str
    limit: int | None = None


@dataclass(frozen=True)
class ModelLimitFound:
    limit: int


@dataclass(frozen=True)
class MessagePut:
    """A message was added, or replaced the one with the same id."""

    message: Message


@dataclass(frozen=True)
class MessageRemoved:
    message_id: int


@dataclass(frozen=True)
class ChatCleared:
    pass


@dataclass(frozen=True)
class SettingsSaved:
    settings: Settings
    notice: str = "Saved. New answers use these settings."


@dataclass(frozen=True)
class DeviceProbed:
    report: DeviceReport


@dataclass(frozen=True)
class SettingsRejected:
    errors: tuple[tuple[str, str], ...]


Action = (
    RouteChanged | ConnectivityChanged | UpdateWaiting | EngineStatusChanged | ModelSelected | ModelLimitFound
    | MessagePut | MessageRemoved | ChatCleared | SettingsSaved | SettingsRejected | DeviceProbed
)  # fmt: skip


def _put(messages: tuple[Message, ...], message: Message) -> tuple[Message, ...]:
    if any(m.id == message.id for m in messages):
        return tuple(message if m.id == message.id else m for m in messages)
    return (*messages, message)


def reduce(state: State, action: Action) -> State:
    """The next State after `action`. Pure."""
    match action:
        case RouteChanged(route=route):
            return replace(state, route=route)
        case ConnectivityChanged(online=online):
            return replace(state, online=online)
        case UpdateWaiting():
            return replace(state, update_waiting=True)
        case EngineStatusChanged(status=status, detail=detail):
            return replace(state, engine_status=status, engine_detail=detail)
        case ModelSelected(model_id=model_id, limit=limit):
            return replace(state, model_id=model_id, model_limit=limit)
        case ModelLimitFound(limit=limit):
            return replace(state, model_limit=limit)
        case MessagePut(message=message):
            return replace(state, messages=_put(state.messages, message))
        case MessageRemoved(message_id=gone):
            return replace(state, messages=tuple(m for m in state.messages if m.id != gone))
        case ChatCleared():
            return replace(state, messages=())
        case SettingsSaved(settings=settings, notice=notice):
            return replace(state, settings=settings, settings_errors=(), settings_notice=notice)
        case DeviceProbed(report=report):
            return replace(state, device=report)
        case SettingsRejected(errors=errors):
            return replace(state, settings_errors=errors, settings_notice="")
    raise TypeError(f"unknown action {action!r}")


Listener = Callable[[State, State], None]


class Store:
    """Holds the State; dispatch() reduces and tells subscribers (old, new) when it changed."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def dispatch(self, action: Action) -> None:
        old, self.state = self.state, reduce(self.state, action)
        if self.state != old:
            for listener in self._listeners:
                listener(old, self.state)
