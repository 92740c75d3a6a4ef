"""Where the Gemini key is kept: remembered on this device, or for this session only (nothing
left in localStorage, which every site on a shared origin such as user.github.io can read)."""

from __future__ import annotations

from tabula.cloud import access
from tabula.core.actions import Store
from tabula.core.state import State
from tabula.i18n import translate as i18n
from tabula.ui.app import App
from tabula.ui.handlers.cloud import CloudControls
from tests.fakes import FakeKeyValueStore, FakePage, FakeUpdates

KEY = "AIzaSyD-test_Key0123456789abcdefghijX9Q2"


def make(kv: FakeKeyValueStore, session: FakeKeyValueStore):
    store = Store(State(cloud=access.load(kv, session)))
    page = FakePage(hash_="#/settings")
    controls = CloudControls(store, kv, object(), "https://cloud.test", lambda _c: None, session)  # type: ignore[arg-type]
    app = App(store, page, FakeUpdates(), controls.table())
    app.start()
    return app, store, page


def shown(page: FakePage) -> str:
    return page.view + "".join(page.regions.values())


def test_a_key_for_this_session_only_never_reaches_local_storage() -> None:
    kv, session = FakeKeyValueStore(), FakeKeyValueStore()
    app, store, page = make(kv, session)
    assert 'value="device" checked' in shown(page)  # remembering stays the default
    app.on_action("save-cloud", {"api_key": KEY, "keep_key": "session", "cloud_model": "gemma-4-26b-a4b-it"})
    assert store.state.cloud.enabled and not store.state.cloud.remember
    assert kv.get(access.KEY_KEY) in (None, "") and KEY not in repr(kv.data)
    assert session.get(access.KEY_KEY) == KEY
    assert 'value="session" checked' in shown(page)
    again = access.load(kv, session)  # a reload in the same tab: still there
    assert again.key == KEY and not again.remember
    fresh = access.load(kv, FakeKeyValueStore())  # a new session: gone
    assert fresh.key == "" and fresh.private


def test_switching_to_remember_moves_the_key_to_the_device_and_back() -> None:
    kv, session = FakeKeyValueStore(), FakeKeyValueStore()
    app, store, _page = make(kv, session)
    app.on_action("save-cloud", {"api_key": KEY, "keep_key": "session"})
    app.on_action("save-cloud", {"api_key": "", "keep_key": "device"})  # empty field: same key
    assert kv.get(access.KEY_KEY) == KEY and session.get(access.KEY_KEY) == ""
    assert access.load(kv, FakeKeyValueStore()).key == KEY
    app.on_action("save-cloud", {"api_key": "", "keep_key": "session"})
    assert kv.get(access.KEY_KEY) == "" and session.get(access.KEY_KEY) == KEY
    app.on_action("remove-key", {})
    assert kv.get(access.KEY_KEY) == "" and session.get(access.KEY_KEY) == ""
    assert store.state.cloud.private


def test_a_form_without_the_choice_keeps_the_current_one_and_a_bad_choice_is_refused() -> None:
    kv, session = FakeKeyValueStore(), FakeKeyValueStore()
    app, store, page = make(kv, session)
    app.on_action("save-cloud", {"api_key": KEY})
    assert store.state.cloud.remember and kv.get(access.KEY_KEY) == KEY
    app.on_action("save-cloud", {"api_key": KEY, "keep_key": "forever"})
    assert "Choose where to keep the key" in shown(page)
    i18n.use("es")
    try:
        assert i18n.tr("Choose where to keep the key: on this device, or for this session only.").startswith(
            "Elija"
        )
    finally:
        i18n.use("en")
