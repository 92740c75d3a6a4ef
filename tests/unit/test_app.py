"""The App paints State onto a Page, paints only what changed, and handles data-actions."""

from __future__ import annotations

import pytest

from tabula.core.actions import Store
from tabula.core.state import State
from tabula.models.catalog import ModelSpec
from tabula.ui.app import App
from tests.fakes import FakePage, FakeUpdates


def make(hash_: str = "", online: bool = True, pending: bool = False):
    page, updates = FakePage(hash_=hash_, online=online), FakeUpdates(pending=pending)
    app = App(Store(State(version="v1")), page, updates)
    return app, page, updates


def test_start_paints_the_deep_linked_route_and_declares_ready() -> None:
    app, page, _ = make("#/settings", online=False)
    app.start()
    assert page.nav == "settings"
    assert page.title == "Settings · Tabula"
    assert "<h1>Settings</h1>" in page.view
    assert page.net == ("Offline", False)
    assert page.boot == ("ready", "")
    assert page.banner == ""


def test_navigation_repaints_view_and_moves_focus() -> None:
    app, page, _ = make()
    app.start()
    app.on_hash("#/models")
    assert page.nav == "models" and "<h1>Models</h1>" in page.view
    assert page.focused == 1
    app.on_hash("#/nope")
    assert "Page not found" in page.view and 'href="#/chat"' in page.view


def test_connectivity_change_repaints_only_what_changed() -> None:
    app, page, _ = make()
    app.start()
    page.calls.clear()
    app.on_connectivity(False)
    names = [name for name, _ in page.calls]
    assert "set_net" in names and "set_nav" not in names and "set_engine" not in names


def test_update_offer_and_apply() -> None:
    app, page, updates = make(pending=True)
    app.start()
    assert 'data-action="apply-update"' in page.banner and "Update available" in page.banner
    app.on_action("apply-update", {})
    assert updates.applied == 1


def test_update_arriving_later_shows_banner() -> None:
    app, page, _ = make()
    app.start()
    app.on_update_waiting()
    assert "Reload" in page.banner


def test_unknown_action_is_loud() -> None:
    app, _, _ = make()
    with pytest.raises(KeyError):
        app.on_action("no-such-thing", {})


def test_models_view_lists_catalogue_escaped() -> None:
    model = ModelSpec("m", "<b>tiny</b>", "gemma3", "./models/t.task", 450_000, "ab", "embedded")
    page, updates = FakePage(hash_="#/models"), FakeUpdates()
    App(Store(State(catalog=(model,))), page, updates).start()
    shown = page.regions["catalogue"]
    assert "&lt;b&gt;tiny&lt;/b&gt;" in shown and "<b>tiny</b>" not in shown
    assert "450 KB" in shown
