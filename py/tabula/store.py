"""Application state: a frozen State, small Action records, a pure reduce(), and a Store.

Intents are imperative, facts past tense. Effects never happen here; main.py's wiring and the
inference queue perform them and report back with actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tabula.router import Route


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


@dataclass(frozen=True)
class State:
    """Everything the views need to draw the app."""

    route: Route = Route("chat")
    online: bool = True
    update_waiting: bool = False
    engine: str = "No model"
    version: str = ""
    runtime: tuple[tuple[str, str], ...] = ()
    catalog: tuple[ModelInfo, ...] = field(default=())


@dataclass(frozen=True)
class RouteChanged:
    route: Route


@dataclass(frozen=True)
class ConnectivityChanged:
    online: bool


@dataclass(frozen=True)
class UpdateWaiting:
    """A new version of the app is installed and waits for the user's Reload."""


Action = RouteChanged | ConnectivityChanged | UpdateWaiting


def reduce(state: State, action: Action) -> State:
    """The next State after `action`. Pure."""
    match action:
        case RouteChanged(route=route):
            return replace(state, route=route)
        case ConnectivityChanged(online=online):
            return replace(state, online=online)
        case UpdateWaiting():
            return replace(state, update_waiting=True)
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
