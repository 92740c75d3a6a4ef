"""Language and theme: chosen in Settings, kept on the device, applied at once; both palettes
meet WCAG AA contrast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tabula.core.actions import AppearanceChanged, Store, reduce
from tabula.core.router import Route
from tabula.core.state import State
from tabula.i18n import translate as i18n
from tabula.main import initial_state
from tabula.prefs import appearance
from tabula.prefs.appearance import Appearance
from tabula.ui.app import App
from tabula.ui.handlers.appearance import AppearanceControls
from tabula.ui.views import screen
from tests.fakes import FakeKeyValueStore, FakePage, FakeUpdates

CSS = Path(__file__).resolve().parents[2] / "pwa" / "css" / "app.css"
CONFIG = {"version": "v1", "runtime": {}, "catalog": []}


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.use("en")


def test_nothing_saved_follows_the_browser_and_the_system() -> None:
    assert appearance.load(FakeKeyValueStore()) == Appearance("", "system")


def test_saved_choice_comes_back() -> None:
    kv = FakeKeyValueStore()
    appearance.save(kv, Appearance("es", "dark"))
    assert kv.data[appearance.KEY] == '{"lang": "es", "theme": "dark"}'
    assert appearance.load(kv) == Appearance("es", "dark")


@pytest.mark.parametrize(
    "raw", ["not json", "[]", '"es"', '{"lang": "fr", "theme": "pink"}', '{"lang": 3, "theme": null}']
)
def test_damaged_or_unknown_values_fall_back(raw: str) -> None:
    assert appearance.load(FakeKeyValueStore({appearance.KEY: raw})) == Appearance()


def test_form_values_are_checked() -> None:
    assert appearance.from_form({"lang": "es", "theme": "light"}) == Appearance("es", "light")
    assert appearance.from_form({"lang": "xx", "theme": "neon"}) == Appearance("", "system")
    assert appearance.from_form({}) == Appearance("", "system")


def test_language_is_the_choice_else_the_browsers() -> None:
    assert Appearance("").language(["es-MX", "en"]) == "es"
    assert Appearance("en").language(["es-MX"]) == "en"
    assert Appearance("").language([]) == "en"


def test_initial_state_reads_the_saved_choice_and_the_browser() -> None:
    state = initial_state(CONFIG, FakeKeyValueStore(), ("es-ES", "en"))
    assert (state.lang, state.lang_choice, state.theme) == ("es", "", "system")
    kv = FakeKeyValueStore({appearance.KEY: '{"lang": "en", "theme": "dark"}'})
    state = initial_state(CONFIG, kv, ("es-ES",))
    assert (state.lang, state.lang_choice, state.theme) == ("en", "en", "dark")


def test_reducer_sets_language_choice_and_theme() -> None:
    state = reduce(State(), AppearanceChanged("es", "light", ""))
    assert (state.lang, state.theme, state.lang_choice) == ("es", "light", "")


def test_the_form_applies_at_once_and_persists() -> None:
    store, kv = Store(State()), FakeKeyValueStore()
    AppearanceControls(store, kv, ("es-AR",)).save({"lang": "", "theme": "dark"})
    assert (store.state.lang, store.state.theme, store.state.lang_choice) == ("es", "dark", "")
    assert appearance.load(kv) == Appearance("", "dark")


def make_app(state: State) -> tuple[App, FakePage]:
    page = FakePage(hash_="#/settings")
    return App(Store(state), page, FakeUpdates()), page


def test_start_tells_the_page_the_language_theme_and_shell_labels() -> None:
    app, page = make_app(State(lang="es", theme="dark"))
    app.start()
    lang, theme, labels = page.appearance
    assert (lang, theme) == ("es", "dark")
    assert labels["settings"] == "Ajustes" and labels["about"] == "Acerca de Tabula"
    assert "<h1>Ajustes</h1>" in page.view and page.title == "Ajustes · Tabula"
    assert page.net == ("En línea", True)


def test_changing_language_repaints_everything_in_it() -> None:
    app, page = make_app(State())
    app.start()
    assert "<h1>Settings</h1>" in page.view and page.appearance[0] == "en"
    app.store.dispatch(AppearanceChanged("es", "system", "es"))
    assert "<h1>Ajustes</h1>" in page.view and page.title == "Ajustes · Tabula"
    assert 'value="es" lang="es" selected' in page.regions["appearance-form"]
    assert page.appearance[0] == "es" and page.engine == "Sin modelo"
    app.store.dispatch(AppearanceChanged("en", "system", ""))
    assert "<h1>Settings</h1>" in page.view and page.engine == "No model"


def test_changing_theme_tells_the_page_without_a_new_view() -> None:
    app, page = make_app(State())
    app.start()
    views = sum(1 for name, _ in page.calls if name == "set_view")
    app.store.dispatch(AppearanceChanged("en", "dark", ""))
    assert page.appearance[:2] == ("en", "dark")
    assert 'value="dark" checked' in page.regions["appearance-form"]
    assert sum(1 for name, _ in page.calls if name == "set_view") == views


def test_english_stays_exactly_as_it_was() -> None:
    view = screen(State(route=Route("settings"))).view
    assert "<h1>Settings</h1>" in view and "Cloud engine (optional)" in view


# Contrast (WCAG 2.x): text >= 4.5:1; non-text UI (focus ring, control edges) >= 3:1.
TEXT = ("fg", "muted", "brand", "ok", "warn", "error")
PAIRS = [(text, ground, 4.5) for text in TEXT for ground in ("bg", "card")] + [
    ("brand-fg", "brand", 4.5),
    ("focus", "bg", 3.0),
    ("focus", "card", 3.0),
    ("edge", "bg", 3.0),
    ("edge", "card", 3.0),
]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette(selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS.read_text())
    assert block is not None, selector
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block.group(1)))


PALETTES = {"light": ":root", "dark": ':root[data-theme="dark"]'}


@pytest.mark.parametrize("theme", PALETTES)
def test_palette_meets_wcag_aa(theme: str) -> None:
    colours = palette(PALETTES[theme])
    low = {f"{a} on {b}": round(ratio(colours[a], colours[b]), 2) for a, b, need in PAIRS
           if ratio(colours[a], colours[b]) < need}  # fmt: skip
    assert low == {}


def test_system_dark_and_forced_dark_are_the_same_palette() -> None:
    assert palette(':root:not([data-theme="light"])') == palette(':root[data-theme="dark"]')
