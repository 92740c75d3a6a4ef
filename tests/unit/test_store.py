"""reduce() transitions and the Store's change notifications."""

from __future__ import annotations

import pytest

from tabula.router import Route
from tabula.store import (
    ConnectivityChanged,
    RouteChanged,
    State,
    Store,
    UpdateWaiting,
    reduce,
)


def test_route_changed_sets_route_and_nothing_else() -> None:
    before = State(online=False)
    after = reduce(before, RouteChanged(Route("models")))
    assert after.route == Route("models")
    assert after.online is False
    assert before.route == Route("chat")  # frozen: the old state is untouched


def test_connectivity_and_update() -> None:
    state = reduce(State(), ConnectivityChanged(online=False))
    assert state.online is False
    assert reduce(state, UpdateWaiting()).update_waiting is True


def test_unknown_action_is_an_error() -> None:
    with pytest.raises(TypeError):
        reduce(State(), object())  # type: ignore[arg-type]


def test_store_notifies_only_on_change() -> None:
    store = Store(State())
    seen: list[tuple[State, State]] = []
    store.subscribe(lambda old, new: seen.append((old, new)))
    store.dispatch(RouteChanged(Route("chat")))  # same route: no change
    assert seen == []
    store.dispatch(RouteChanged(Route("about")))
    assert [(old.route.name, new.route.name) for old, new in seen] == [("chat", "about")]
