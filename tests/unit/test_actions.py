"""reduce() transitions and the Store's change notifications."""

from __future__ import annotations

import pytest

from tabula.core.actions import (
    CatalogChanged,
    ConnectivityChanged,
    DownloadChanged,
    ModelDeleted,
    ModelsNotice,
    ModelsStored,
    RouteChanged,
    StorageMeasured,
    Store,
    UpdateWaiting,
    reduce,
)
from tabula.core.router import Route
from tabula.core.state import State
from tabula.models.catalog import ModelSpec
from tabula.models.transfers import Download, Quota


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


# --- the Models page's actions --------------------------------------------------------------


def test_download_changed_adds_then_replaces_the_same_id() -> None:
    state = reduce(State(), DownloadChanged(Download("a", "downloading", 10, 100)))
    state = reduce(state, DownloadChanged(Download("b", "waiting", 0, 50)))
    state = reduce(state, DownloadChanged(Download("a", "verifying", 0, 100)))
    assert [(d.model_id, d.phase) for d in state.downloads] == [("b", "waiting"), ("a", "verifying")]
    assert state.download("a") == Download("a", "verifying", 0, 100)
    assert state.download("missing") is None


def test_model_deleted_removes_it_from_ready_and_downloads_only() -> None:
    state = State(
        ready=frozenset({"a", "b"}),
        downloads=(Download("a", "ready", 5, 5), Download("c", "downloading", 1, 9)),
    )
    after = reduce(state, ModelDeleted("a"))
    assert after.ready == frozenset({"b"})
    assert after.downloads == (Download("c", "downloading", 1, 9),)
    assert reduce(after, ModelDeleted("nothing")) == after


def test_models_stored_replaces_the_ready_set() -> None:
    state = reduce(State(ready=frozenset({"old"})), ModelsStored(frozenset({"a", "b"})))
    assert state.ready == frozenset({"a", "b"})


def test_catalog_changed_replaces_the_catalogue_and_usable_follows() -> None:
    a = ModelSpec("a", "A", "gemma3", "https://h.example/a.task", 10, "", "custom")
    embedded = ModelSpec("e", "E", "gemma3", "", 10, "ff", "embedded")
    state = reduce(State(model_id="a"), CatalogChanged((a, embedded)))
    assert state.catalog == (a, embedded) and state.model == a
    assert not state.usable(a) and state.usable(embedded)
    assert reduce(state, ModelsStored(frozenset({"a"}))).usable(a)
    assert reduce(state, CatalogChanged(())).model is None


def test_models_notice_sets_and_clears() -> None:
    state = reduce(State(), ModelsNotice("That file is not a model."))
    assert state.models_notice == "That file is not a model."
    assert reduce(state, ModelsNotice("")).models_notice == ""


def test_storage_measured() -> None:
    quota = Quota(quota=1000, usage=250, persisted=True)
    state = reduce(State(), StorageMeasured(quota))
    assert state.storage == quota and state.storage.free == 750
