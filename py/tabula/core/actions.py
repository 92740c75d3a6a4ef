"""Actions and the pure reduce() over the State (core/state.py), and the Store that holds it.

Intents are imperative, facts past tense. Effects never happen here; main.py's wiring and the
inference queue perform them and report back with actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tabula.chat.messages import Message
from tabula.cloud.access import CloudSettings
from tabula.core.router import Route
from tabula.core.state import State
from tabula.models.catalog import ModelSpec
from tabula.prefs.generation import Settings
from tabula.study.result import Study

if TYPE_CHECKING:
    from tabula.chat.conversations import Shelf
    from tabula.models.fit import DeviceReport
    from tabula.models.transfers import Download, Quota


@dataclass(frozen=True)
class RouteChanged:
    route: Route


@dataclass(frozen=True)
class ConnectivityChanged:
    online: bool


@dataclass(frozen=True)
class UpdateWaiting:
    """A new version of the app is installed and waits for the user's Reload (`elsewhere`:
    another window already runs it, and this one still runs the old version)."""

    elsewhere: bool = False


@dataclass(frozen=True)
class UpdateDeferred:
    """The user asked for the new version while an answer or a download runs: take it after."""

    deferred: bool


@dataclass(frozen=True)
class InstallableChanged:
    installable: bool


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
class DownloadChanged:
    download: Download


@dataclass(frozen=True)
class CatalogChanged:
    """Models were added, or a record was pinned after its first verified copy."""

    catalog: tuple[ModelSpec, ...]


@dataclass(frozen=True)
class ModelsStored:
    """The verified models on this device (all of them)."""

    ready: frozenset[str]


@dataclass(frozen=True)
class ModelDeleted:
    model_id: str


@dataclass(frozen=True)
class StorageMeasured:
    storage: Quota


@dataclass(frozen=True)
class ModelsNotice:
    """A message for the Models page (a refused file or address); '' clears it."""

    text: str


@dataclass(frozen=True)
class CloudSaved:
    cloud: CloudSettings
    notice: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class CloudNotice:
    kind: str  # ok | error | ""
    text: str


@dataclass(frozen=True)
class StudyChanged:
    study: Study


@dataclass(frozen=True)
class ShelfChanged:
    shelf: Shelf


@dataclass(frozen=True)
class ChatOpened:
    """Another conversation is shown: its messages replace the chat's."""

    messages: tuple[Message, ...]


@dataclass(frozen=True)
class AppearanceChanged:
    """The UI language (`lang`, resolved from `choice`, "" = the browser's) or theme changed."""

    lang: str
    theme: str
    choice: str = ""


@dataclass(frozen=True)
class EngineElsewhere:
    """Whether another window of this origin runs the engine and the downloads (models/ownership)."""

    elsewhere: bool


@dataclass(frozen=True)
class TroubleReported:
    """Background work failed with an error nobody handled (core.tasks); '' dismisses it."""

    text: str


@dataclass(frozen=True)
class SettingsRejected:
    errors: tuple[tuple[str, str], ...]


Action = (
    RouteChanged | ConnectivityChanged | UpdateWaiting | UpdateDeferred | InstallableChanged | EngineStatusChanged | ModelSelected | ModelLimitFound
    | MessagePut | MessageRemoved | ChatCleared | SettingsSaved | SettingsRejected | DeviceProbed
    | DownloadChanged | CatalogChanged | ModelsStored | ModelDeleted | StorageMeasured | ModelsNotice
    | CloudSaved | CloudNotice | StudyChanged | ShelfChanged | ChatOpened | AppearanceChanged
    | TroubleReported | EngineElsewhere
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
        case UpdateWaiting(elsewhere=elsewhere):
            return replace(state, update_waiting=True, update_elsewhere=state.update_elsewhere or elsewhere)
        case UpdateDeferred(deferred=deferred):
            return replace(state, update_deferred=deferred)
        case InstallableChanged(installable=installable):
            return replace(state, installable=installable)
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
        case AppearanceChanged(lang=lang, theme=theme, choice=choice):
            return replace(state, lang=lang, theme=theme, lang_choice=choice)
        case TroubleReported(text=text):
            return replace(state, trouble=text)
        case EngineElsewhere(elsewhere=elsewhere):
            return replace(state, elsewhere=elsewhere)
    return _reduce_models(state, action)


def _reduce_models(state: State, action: Action) -> State:
    """The Models page's share of reduce()."""
    match action:
        case DownloadChanged(download=download):
            others = tuple(d for d in state.downloads if d.model_id != download.model_id)
            return replace(state, downloads=(*others, download))
        case CatalogChanged(catalog=catalog):
            return replace(state, catalog=catalog)
        case ModelsStored(ready=ready):
            return replace(state, ready=ready)
        case ModelDeleted(model_id=gone):
            downloads = tuple(d for d in state.downloads if d.model_id != gone)
            return replace(state, ready=state.ready - {gone}, downloads=downloads)
        case StorageMeasured(storage=storage):
            return replace(state, storage=storage)
        case ModelsNotice(text=text):
            return replace(state, models_notice=text)
        case CloudSaved(cloud=cloud, notice=notice):
            return replace(state, cloud=cloud, cloud_notice=notice)
        case CloudNotice(kind=kind, text=text):
            return replace(state, cloud_notice=(kind, text))
        case StudyChanged(study=study):
            return replace(state, study=study)
        case ShelfChanged(shelf=shelf):
            return replace(state, shelf=shelf)
        case ChatOpened(messages=messages):
            return replace(state, messages=messages)
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
